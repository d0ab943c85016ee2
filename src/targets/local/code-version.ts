/**
 * Which berth's code a process runs: the package version and, in a checkout, the stamp of the last build of dist/
 * (every build is new code). The environment's balancer reports the one it started with; a deploy or rollback by a
 * berth whose code differs (an upgrade, a rebuild) restarts it, so the balancer never runs older code than the CLI
 * that drives it (operations.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { BERTH_VERSION, packageFile } from '../../package-files.js';

function read(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  } catch {
    return undefined;
  }
}

function codeVersion(): string {
  const stamp = read(packageFile('dist', '.build-stamp'));
  return stamp ? `${BERTH_VERSION} (built ${stamp})` : BERTH_VERSION;
}

/** This process's berth code, read once when the module loads (a later upgrade on disk does not change it). */
export const BERTH_CODE = codeVersion();
