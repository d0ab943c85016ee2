/**
 * Reading berth.yml's bytes without trusting them: a regular file (not a device, a pipe or a folder), at most
 * CONFIG_FILE_MAX_BYTES, read with that limit (a file that grows while it is read is still cut off), UTF-8 text.
 * `--config /dev/zero` is refused at once; `--config /bin/ls` is "not a text file", never its bytes.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { UsageError } from '../errors.js';
import { CONFIG_FILE_MAX_BYTES } from './limits.js';
import { ConfigError } from './problems.js';

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function sizeInWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const words = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
  return words.replace('.0 ', ' ');
}

const TOO_LARGE_HINT = 'a berth.yml is a few kilobytes; check the --config path';

/** The text of a configuration file, or UsageError / ConfigError (exit 2) saying why it cannot be berth.yml. */
export function readConfigText(file: string, shownAs: string, maxBytes = CONFIG_FILE_MAX_BYTES): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a named pipe must not wait for a writer; it is refused below like any non-file.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${shownAs}: file not found`, 'check the --config path, or run `berth init` to create one');
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${shownAs}: cannot read the file (permission denied)`, 'check the --config path and the file\'s permissions');
    if (code === 'ELOOP') throw new UsageError(`${shownAs}: too many levels of symbolic links`);
    throw new UsageError(`${shownAs}: cannot read the file (${code ?? 'unknown error'})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new UsageError(`${shownAs}: is ${kindOf(stats)}, not a file; berth reads berth.yml from a regular file`, 'check the --config path');
    }
    if (stats.size > maxBytes) {
      throw new UsageError(`${shownAs}: the file is ${sizeInWords(stats.size)}; berth.yml may be at most ${sizeInWords(maxBytes)}`, TOO_LARGE_HINT);
    }
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) throw new UsageError(`${shownAs}: the file grew past ${sizeInWords(maxBytes)} while berth read it; berth.yml may be at most ${sizeInWords(maxBytes)}`, TOO_LARGE_HINT);
    }
    return decodeText(buffer.subarray(0, length), shownAs);
  } finally {
    closeSync(fd);
  }
}

function decodeText(bytes: Buffer, shownAs: string): string {
  const notText = (why: string) => new ConfigError([{ file: shownAs, path: '', message: `is not a berth.yml: ${why}`, hint: 'pass the path of berth.yml with --config, or run `berth init`' }]);
  if (bytes.includes(0)) throw notText('it is a binary file, not YAML text');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notText('it is not UTF-8 text');
  }
}
