/**
 * Where berth's own files are: the package root (package.json, data/, dist/) and the compiled entries started as
 * separate processes or workers. Found by walking up from this module to berth's package.json, so the answer is the
 * same from src/ (vitest), dist/ (tsc output) and dist/bundle/ (the CLI bundle that bin/berth.js loads).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'berth') return dir;
    if (dirname(dir) === dir) throw new Error(`berth's package.json was not found above ${from}`);
  }
}

/** The package root: the folder of berth's package.json. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** berth's version (package.json). */
export const BERTH_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A file shipped with berth, by its path under the package root (`data/prices/`). */
export function packageFile(...path: string[]): string {
  return join(PACKAGE_ROOT, ...path);
}

/** A compiled module under dist/ (`targets/local/balancer-daemon.js`): what berth starts as a process or worker. */
export function compiledEntry(path: string): string {
  return join(PACKAGE_ROOT, 'dist', path);
}
