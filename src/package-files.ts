/**
 * Where berth's own files are: the package root (package.json, data/, dist/) and the compiled entries started as
 * separate processes or workers. Found by walking up from this module to berth's package.json, so the answer is the
 * same from src/ (vitest), dist/ (tsc output) and dist/bundle/ (the CLI bundle that bin/berth.js loads).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Manifest {
  name?: string;
  version?: string;
}

/** The folder of berth's package.json above `from`, and what it says (read once). */
function findPackage(from: string): { root: string; manifest: Manifest } {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    const manifest = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : undefined;
    if (manifest?.name === 'berth') return { root: dir, manifest };
    if (dirname(dir) === dir) throw new Error(`berth's package.json was not found above ${from}`);
  }
}

const found = findPackage(dirname(fileURLToPath(import.meta.url)));

/** The package root: the folder of berth's package.json. */
export const PACKAGE_ROOT = found.root;

/** berth's version (package.json). */
export const BERTH_VERSION = found.manifest.version ?? 'unknown';

/** A file shipped with berth, by its path under the package root (`data/prices/`). */
export function packageFile(...path: string[]): string {
  return join(PACKAGE_ROOT, ...path);
}

/** A compiled module under dist/ (`targets/local/balancer-daemon.js`): what berth starts as a process or worker. */
export function compiledEntry(path: string): string {
  return join(PACKAGE_ROOT, 'dist', path);
}
