/**
 * Which berth's code a process runs: the package version and, in a checkout, the stamp of the last build of dist/
 * (every build is new code). The environment's balancer reports the one it started with; a deploy or rollback by a
 * berth whose code differs (an upgrade, a rebuild) restarts it, so the balancer never runs older code than the CLI
 * that drives it (operations.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this file is src/targets/local/ or dist/targets/local/ under it. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function read(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  } catch {
    return undefined;
  }
}

function codeVersion(): string {
  const version = (JSON.parse(read(join(root, 'package.json')) ?? '{}') as { version?: string }).version ?? 'unknown';
  const stamp = read(join(root, 'dist', '.build-stamp'));
  return stamp ? `${version} (built ${stamp})` : version;
}

/** This process's berth code, read once when the module loads (a later upgrade on disk does not change it). */
export const BERTH_CODE = codeVersion();
