/**
 * The one rule for "this looks secret", shared by `berth init` (which names to propose as secrets), the doctor
 * (secret-looking values in service.env and build arguments) and validation. It only ever answers yes/no and why:
 * it never returns or prints a value.
 *
 * A name looks secret when its last word says what the value is: KEY, SECRET, TOKEN, PASSWORD, DSN, CREDENTIALS ...
 * (`STRIPE_SECRET_KEY`, `GITHUB_TOKEN`, `SENTRY_DSN`). A secret word followed by a word that says what the value is
 * *about* is not a secret: `TOKEN_TTL`, `API_KEY_HEADER`, `JWKS_PUBLIC_KEY_URL`, `DB_PASSWORD_FILE` hold a duration,
 * a header name, a URL and a path. Words that only re-encode or version the secret keep it one: `SECRET_KEY_BASE`
 * (Rails), `CREDENTIALS_JSON`, `API_KEY_PROD`, `SIGNING_KEY_B64`.
 */

/** Last words that mark a secret. */
const SECRET_WORDS = new Set([
  'SECRET', 'SECRETS', 'SECRETKEY', 'TOKEN', 'TOKENS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PWD', 'PASSPHRASE',
  'KEY', 'KEYS', 'APIKEY', 'ACCESSKEY', 'PRIVATEKEY', 'DSN', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'SALT',
  // Only as the last word: `JWT_PRIVATE`, `BASIC_AUTH` are secrets; `PRIVATE_SUBNETS`, `AUTH_ENABLED`, `AUTH_DOMAIN` are not.
  'PRIVATE', 'AUTH',
]);

/** Glued forms with an unambiguous ending: PGPASSWORD, SMTPPASSWORD, OPENAIAPIKEY. (Not KEY or PASS: MONKEY, COMPASS.) */
const SECRET_ENDINGS = ['PASSWORD', 'PASSWD', 'PASSPHRASE', 'SECRET', 'TOKEN', 'APIKEY', 'ACCESSKEY', 'PRIVATEKEY', 'SECRETKEY', 'CREDENTIALS'];

/** Trailing words that re-encode, version or place a secret without changing what it is. */
const QUALIFIERS = /^(BASE|B64|BASE64|PEM|DER|JSON|HEX|VALUE|RAW|STRING|DATA|CONTENTS?|HASH|FALLBACKS?|OLD|PREVIOUS|NEW|CURRENT|PRIMARY|SECONDARY|PROD|PRODUCTION|LIVE|TEST|DEV|STAGING|V?\d+)$/;

/** A secret word right after these is public by nature: PUBLIC_KEY, STRIPE_PUBLISHABLE_KEY. */
const PUBLIC_WORDS = new Set(['PUBLIC', 'PUBLISHABLE', 'PUB']);

/** Browser-bundled names: frameworks inline these into the JavaScript sent to every visitor, so they are public by design. */
export const BROWSER_PUBLIC_NAMES = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|EXPO_PUBLIC_|PUBLIC_|NUXT_PUBLIC_|GATSBY_)/;

/** Names the shell or the platform sets that happen to end like a secret. */
const SHELL_NAMES = new Set(['PWD', 'OLDPWD']);

export interface SecretNameOptions {
  /** Names to never call secret, e.g. BROWSER_PUBLIC_NAMES, or the variables berth injects itself. */
  exclude?: ReadonlyArray<RegExp | string>;
}

/** Whether a variable (or build argument) name looks like it holds a secret. Case does not matter. */
export function looksSecretName(name: string, options: SecretNameOptions = {}): boolean {
  const upper = name.toUpperCase();
  if (SHELL_NAMES.has(upper)) return false;
  for (const rule of options.exclude ?? []) {
    if (typeof rule === 'string' ? rule.toUpperCase() === upper : rule.test(upper)) return false;
  }
  const words = upper.split(/_+/).filter(Boolean);
  while (words.length > 1 && QUALIFIERS.test(words.at(-1)!)) words.pop();
  const last = words.at(-1);
  if (!last) return false;
  const secretWord = SECRET_WORDS.has(last) || SECRET_ENDINGS.some((ending) => last.endsWith(ending) && last.length > ending.length);
  if (!secretWord) return false;
  const before = words.at(-2);
  return before === undefined || !PUBLIC_WORDS.has(before);
}

const SECRET_VALUES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}/, 'a Stripe key'],
  [/\bsk-[A-Za-z0-9_-]{20,}/, 'an API key (sk-...)'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  // A DSN or URL with credentials: scheme://user:password@host
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i, 'a URL with a password'],
];

/** Values berth or users commonly set that are plainly not secret, whatever the name. */
const HARMLESS = /^(?:|true|false|yes|no|on|off|\d+|changeme|placeholder|none|null)$/i;

/** What kind of secret a value looks like ("a URL with a password"), or undefined. */
export function secretValueKind(value: string): string | undefined {
  for (const [pattern, what] of SECRET_VALUES) if (pattern.test(value)) return what;
  return undefined;
}

/** Why a name/value pair looks secret, or undefined when it does not. The value is never part of the answer. */
export function secretLooking(name: string, value: string, options: SecretNameOptions = {}): string | undefined {
  const kind = secretValueKind(value);
  if (kind) return `its value looks like ${kind}`;
  if (looksSecretName(name, options) && !HARMLESS.test(value.trim())) return 'its name suggests a secret';
  return undefined;
}
