/**
 * docker build output without the lines of a file that is not a Dockerfile. When the file named as the Dockerfile
 * holds something else (a .env, a key), Docker's parser quotes the offending line (`unknown instruction: API_KEY=...`)
 * and BuildKit prints the lines around it; berth passes neither on. Validation already refuses files without a FROM
 * and files outside the project (src/config/semantic-checks.ts); this is the last guard.
 */

const UNKNOWN_INSTRUCTION = /(unknown instruction:?)\s.*$/i;
/** BuildKit's excerpt of the Dockerfile: `   2 | >>> SECRET=1`. */
const EXCERPT_LINE = /^(\s*\d+ \|)\s?.*$/;

/** One line as it may be shown while the build runs: a quoted unknown instruction is cut off. */
export function withoutQuotedInstruction(line: string): string {
  return line.replace(UNKNOWN_INSTRUCTION, '$1 (the line is not shown: the file may not be a Dockerfile)');
}

/** The last lines of a failed build: after a parse error, without BuildKit's excerpt of the file either. */
export function failedBuildLines(lines: readonly string[]): string[] {
  const cleaned = lines.map(withoutQuotedInstruction);
  if (!lines.some((line) => UNKNOWN_INSTRUCTION.test(line))) return cleaned;
  return cleaned.map((line) => line.replace(EXCERPT_LINE, '$1 (not shown)'));
}
