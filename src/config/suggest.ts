/** "Did you mean" suggestions for misspelled keys and values. */

/** Edits between two strings: insertions, deletions, substitutions and swaps of neighbours (`prot` -> `port` is one). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

export interface MatchOptions {
  /**
   * The most edits that still read as a typo. Default: a third of the longer word (at least 1), which suits values.
   * Keys use 2 (`prot` -> `port`, `helth` -> `health`), and never more than half the letters of the shorter word
   * (`rpc` is not a typo of `app`).
   */
  maxDistance?: number;
}

/** The closest candidate within a distance that still reads as a typo, or undefined. */
export function closestMatch(input: string, candidates: readonly string[], options: MatchOptions = {}): string | undefined {
  if (input.length > 100) return undefined;
  const needle = input.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(needle, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const limit = options.maxDistance !== undefined
    ? Math.min(options.maxDistance, Math.max(1, Math.floor(Math.min(input.length, best.name.length) / 2)))
    : Math.max(1, Math.floor(Math.max(input.length, best.name.length) / 3));
  return best.distance <= limit ? best.name : undefined;
}

/** The did-you-mean for an unknown key: within 2 edits of a known key. */
export function closestKey(input: string, known: readonly string[]): string | undefined {
  return closestMatch(input, known, { maxDistance: 2 });
}
