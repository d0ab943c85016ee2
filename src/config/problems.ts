/** Problems found in berth.yml, each pointing at a file, a position and a dotted field path. */
import { EXIT_USAGE, BerthError } from '../errors.js';

export interface ConfigProblem {
  /** Path of the file as the user named it. */
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path such as `service.memory` or `environments.prod.service.cpu`; empty for the whole file. */
  path: string;
  /** What is wrong and what is allowed. */
  message: string;
  /** A suggestion, e.g. `did you mean "service"?`. */
  hint?: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}:${problem.column ?? 1}` : problem.file;
  const field = problem.path ? ` ${problem.path}:` : '';
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `${where}:${field} ${problem.message}${hint}`;
}

export class ConfigError extends BerthError {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'), EXIT_USAGE);
    this.name = 'ConfigError';
  }
}

/** Dotted path from path segments: numbers become [n]. */
export function dottedPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}
