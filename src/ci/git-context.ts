/** What `berth ci github` reads from the repository berth.yml lives in (I/O: git and package.json). */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';
import type { BerthInstall } from './workflow-steps.js';

const run = promisify(execFile);

/** The top of the git work tree holding `dir`. */
export async function gitRoot(dir: string): Promise<string> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
    return stdout.trim();
  } catch {
    throw new UsageError(`${dir} is not inside a git repository`, 'GitHub workflows live in the repository: run `git init` (and push it to GitHub) first');
  }
}

/** The origin remote's URL, or undefined when there is none. */
export async function originUrl(root: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['remote', 'get-url', 'origin'], { cwd: root });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * How the workflow gets berth: the repository's own copy when its package.json depends on berth (or is berth),
 * otherwise this very version from npm, so CI runs the berth that wrote the workflow.
 */
export function berthInstallFor(root: string, version: string): BerthInstall {
  const file = join(root, 'package.json');
  if (!existsSync(file) || !existsSync(join(root, 'package-lock.json'))) return { kind: 'package', version };
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    if (manifest.name === 'berth' || manifest.dependencies?.berth || manifest.devDependencies?.berth) return { kind: 'project' };
  } catch {
    // An unreadable package.json is the app's business; fall back to the pinned release.
  }
  return { kind: 'package', version };
}
