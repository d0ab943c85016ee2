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

/** Test code: its routes and environment reads are not the app's. */
export const TEST_FILE = /(^|\/)(tests?|__tests__|spec|e2e)\/|\.(test|spec)\.[a-z]+$|(^|\/)test_[^/]*\.py$|_test\.py$/;

/** A 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** Whether the text at `index` sits in a line comment or a doc-comment line (`#`, `//`, `/*`, ` * `). */
export function isCommented(text: string, index: number): boolean {
  const prefix = text.slice(text.lastIndexOf('\n', index - 1) + 1, index);
  const trimmed = prefix.trimStart();
  return /^(#|\/\/|\/\*|\*)/.test(trimmed) || /\s(\/\/|#)\s/.test(prefix);
}

/** The files under `dir` (a folder relative to the project, "." for all), as a project of their own. */
export function subProject(project: ProjectFiles, dir: string): ProjectFiles {
  if (dir === '.' || dir === '') return project;
  const prefix = `${dir.replace(/\/+$/, '')}/`;
  return {
    paths: project.paths.filter((path) => path.startsWith(prefix)).map((path) => path.slice(prefix.length)),
    read: (path) => project.read(prefix + path),
  };
}
