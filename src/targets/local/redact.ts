/** Masking of secret values in lines berth shows or keeps (log tails, failure records, job-run records). */

/** Replaces every secret value in text with ***, longest first, so log tails can be shown. */
export function redactSecrets(lines: readonly string[], secrets: Record<string, string> | readonly string[]): string[] {
  const values = (Array.isArray(secrets) ? [...secrets] : Object.values(secrets)).filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  return lines.map((line) => values.reduce((text, value) => text.split(value).join('***'), line));
}
