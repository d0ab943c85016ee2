/** Masking of secret values in lines berth shows or keeps (log tails, failure records, job-run records). */

/** Shorter pieces are not masked on their own: they would hide ordinary text. */
const MIN_MASKED_LENGTH = 4;

/**
 * What to look for in output (pure): each value, and each line of a multi-line value (a PEM key printed line by line
 * must not show any of its lines); longest first, so a value is masked before a shorter one inside it.
 */
export function maskTerms(values: readonly string[]): string[] {
  const terms = new Set<string>();
  for (const value of values) {
    if (value.length >= MIN_MASKED_LENGTH) terms.add(value);
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r?\n|\r/)) {
        const trimmed = line.trim();
        if (trimmed.length >= MIN_MASKED_LENGTH) terms.add(trimmed);
      }
    }
  }
  return [...terms].sort((a, b) => b.length - a.length);
}

/** Replaces every secret value (and every line of a multi-line one) in text with ***, so log tails can be shown. */
export function redactSecrets(lines: readonly string[], secrets: Record<string, string> | readonly string[]): string[] {
  const terms = maskTerms(Array.isArray(secrets) ? [...secrets] : Object.values(secrets));
  return lines.map((line) => terms.reduce((text, term) => (text.includes(term) ? text.split(term).join('***') : text), line));
}
