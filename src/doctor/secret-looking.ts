/**
 * Recognizes names and values that look like secrets, so the doctor can warn before they end up in a
 * task definition or an image. Only ever answers yes/no and why: never returns or prints the value.
 */

const SECRET_NAME = /(?:SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_?KEY|SIGNING_?KEY|CLIENT_?SECRET|DSN)(?:_|$)/i;

const SECRET_VALUES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}/, 'a Stripe key'],
  [/\bsk-[A-Za-z0-9_-]{20,}/, 'an API key (sk-...)'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i, 'a URL with a password'],
];

/** Values berth or users commonly set that are plainly not secret. */
const HARMLESS = /^(?:|true|false|yes|no|on|off|\d+|changeme|placeholder|none|null)$/i;

/** Why a name/value pair looks secret, or undefined when it does not. */
export function secretLooking(name: string, value: string): string | undefined {
  for (const [pattern, what] of SECRET_VALUES) if (pattern.test(value)) return `its value looks like ${what}`;
  if (SECRET_NAME.test(name) && !HARMLESS.test(value.trim())) return 'its name suggests a secret';
  return undefined;
}

/** Whether a build argument's name suggests a secret (build arguments end up in the image history). */
export function secretLookingName(name: string): boolean {
  return SECRET_NAME.test(name);
}
