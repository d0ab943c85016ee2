/** The files of an app folder as the detectors see them: relative paths and their text, read on demand. */

export interface ProjectFiles {
  /** Paths relative to the app folder, with forward slashes, sorted. */
  readonly paths: readonly string[];
  /** The file's text, or undefined when it is missing or too large to inspect. */
  read(path: string): string | undefined;
}

/** An in-memory project, for tests and for callers that already hold the files. */
export function projectFromRecord(files: Readonly<Record<string, string>>): ProjectFiles {
  return { paths: Object.keys(files).sort(), read: (path) => files[path] };
}

/** Source files the route and environment detectors read. */
export const CODE_FILE = /\.(py|js|mjs|cjs|ts|mts|cts|jsx|tsx|rb)$/;

/** A 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
