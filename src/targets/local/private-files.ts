/**
 * Writing berth's state: every folder 0700 and every file 0600 (src/model/state-paths.ts), files replaced
 * atomically. Folders and files made by an older berth with wider modes are narrowed when written again.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../model/index.js';

/** Creates a folder (and missing parents) owner-only, and narrows it when it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes a file owner-only through a temporary file and a rename (readers never see half a file). */
export function writePrivateFile(path: string, text: string): void {
  ensurePrivateDir(dirname(path));
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: PRIVATE_FILE_MODE });
  chmodSync(temporary, PRIVATE_FILE_MODE);
  renameSync(temporary, path);
}
