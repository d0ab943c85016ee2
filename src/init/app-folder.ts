/**
 * Whether a folder holds something berth can deploy: a Dockerfile, a compose file or app code. `berth init`
 * refuses a folder with none of them rather than write a berth.yml that cannot work.
 */
import { findComposeFile } from './compose/compose-file.js';
import { chooseDockerfile } from './inspect-app.js';
import type { ProjectFiles } from './project-files.js';
import { TEST_FILE } from './project-files.js';

/** Dependency files that mean "an app lives here". */
const DEPENDENCY_FILES = /^(requirements[^/]*\.(txt|in)|pyproject\.toml|Pipfile|setup\.py|package\.json|Gemfile|go\.mod|Cargo\.toml|composer\.json|pom\.xml|build\.gradle(\.kts)?|mix\.exs|deno\.json)$/;
/** Source files of the languages berth recognises (and a few it builds without recognising the framework). */
const SOURCE_FILE = /\.(py|js|mjs|cjs|ts|mts|cts|jsx|tsx|rb|go|rs|php|java|kt|ex|exs|cs)$/;

/** What berth init looked for, for the message when it finds none of it. */
export const LOOKED_FOR = [
  'a Dockerfile (Dockerfile, Containerfile, Dockerfile.*)',
  'a compose file (compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml)',
  'app code (requirements.txt, pyproject.toml, Pipfile, package.json, Gemfile, go.mod ..., or .py, .js, .ts, .rb, .go files)',
] as const;

export interface AppFolder {
  dockerfile?: string;
  composeFile?: string;
  /** The first dependency file or source file found. */
  appCode?: string;
}

export function appFolder(project: ProjectFiles): AppFolder {
  const dockerfile = chooseDockerfile(project.paths);
  const composeFile = findComposeFile(project.paths);
  const appCode = project.paths.find((path) => DEPENDENCY_FILES.test(path))
    ?? project.paths.find((path) => SOURCE_FILE.test(path) && !TEST_FILE.test(path));
  return { ...(dockerfile ? { dockerfile } : {}), ...(composeFile ? { composeFile } : {}), ...(appCode ? { appCode } : {}) };
}

export function isDeployable(folder: AppFolder): boolean {
  return Boolean(folder.dockerfile ?? folder.composeFile ?? folder.appCode);
}
