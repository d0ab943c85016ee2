/**
 * Inputs that are not a berth.yml fixture file: devices, pipes, oversized and binary files, symbolic links out of
 * the project. Each is refused with exit 2, quickly, naming the file or the field, and never showing the contents.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { CONFIG_FILE_MAX_BYTES } from './limits.js';
import { loadConfig } from './load.js';
import { readConfigText } from './read-config-file.js';

function project(yaml: string, files: Record<string, string> = { Dockerfile: 'FROM python:3.12-slim\n' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-hostile-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

/** The error loadConfig throws, as the CLI prints it (message and hint), with its exit code. */
function refusal(run: () => unknown): { code: number; text: string } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof BerthError)) throw error;
    return { code: error.exitCode, text: `${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}` };
  }
  throw new Error('expected berth to refuse the input');
}

describe('--config that is not a regular file', () => {
  it('/dev/zero is refused at once as a device, not read', () => {
    const started = Date.now();
    const result = refusal(() => loadConfig({ config: '/dev/zero' }));
    expect(result).toMatchObject({ code: 2 });
    expect(result.text).toContain('/dev/zero: is a character device, not a file');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a named pipe is refused without waiting for a writer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-fifo-'));
    const fifo = join(dir, 'berth.yml');
    execFileSync('mkfifo', [fifo]);
    const result = refusal(() => loadConfig({ config: fifo }));
    expect(result.code).toBe(2);
    expect(result.text).toContain('is a named pipe, not a file');
  });

  it('a berth.yml that is a symbolic link to /dev/zero is refused the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-link-'));
    symlinkSync('/dev/zero', join(dir, 'berth.yml'));
    const result = refusal(() => loadConfig({ cwd: dir }));
    expect(result.code).toBe(2);
    expect(result.text).toContain('is a character device');
  });

  it(`a file over ${CONFIG_FILE_MAX_BYTES / 1024 / 1024} MiB is refused before it is read, with its size`, () => {
    const dir = project(`app: big\nservice: { port: 8000 }\nenv: { BLOB: ${'x'.repeat(2 * CONFIG_FILE_MAX_BYTES)} }\n`);
    const result = refusal(() => loadConfig({ cwd: dir }));
    expect(result.code).toBe(2);
    expect(result.text).toContain('berth.yml: the file is 2 MiB; berth.yml may be at most 1 MiB');
    expect(result.text).not.toContain('xxxx');
  });

  it('reads at most the cap from a file that says it is empty and is not (/proc)', () => {
    const result = refusal(() => readConfigText('/proc/self/maps', 'maps', 64));
    expect(result).toMatchObject({ code: 2 });
    expect(result.text).toContain('maps: the file grew past 64 bytes while berth read it');
  });

  it('a binary file is "not a berth.yml", without its bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-binary-'));
    writeFileSync(join(dir, 'berth.yml'), Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00'), Buffer.from('app: demo\nAPI_KEY: canary-77\n')]));
    const result = refusal(() => loadConfig({ cwd: dir }));
    expect(result.code).toBe(2);
    expect(result.text).toContain('is not a berth.yml: it is a binary file, not YAML text');
    expect(result.text).not.toContain('canary-77');
    expect(result.text.split('\n').length).toBeLessThanOrEqual(2);
  });

  it('a file that is not UTF-8 text says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-latin1-'));
    writeFileSync(join(dir, 'berth.yml'), Buffer.from([0x61, 0x70, 0x70, 0x3a, 0x20, 0xe9, 0x0a]));
    expect(refusal(() => loadConfig({ cwd: dir })).text).toContain('it is not UTF-8 text');
  });
});

describe('build paths that leave the folder of berth.yml through a symbolic link', () => {
  it('a context that is a link to /etc is refused naming the field and where it leads', () => {
    const dir = project('app: demo\nservice:\n  port: 8000\n  build: { context: etc-link }\n');
    symlinkSync('/etc', join(dir, 'etc-link'));
    const result = refusal(() => loadConfig({ cwd: dir }));
    expect(result.code).toBe(2);
    expect(result.text).toMatch(/berth\.yml:4:21: service\.build\.context: \S*etc-link leads to \/etc, which is outside the folder of berth\.yml/);
  });

  it('a Dockerfile that is a link to /etc/passwd is refused without a line of /etc/passwd', () => {
    const dir = project('app: demo\nservices:\n  web:\n    port: 8000\n    build: { dockerfile: Dockerfile.web }\n');
    symlinkSync('/etc/passwd', join(dir, 'Dockerfile.web'));
    const result = refusal(() => loadConfig({ cwd: dir }));
    expect(result.text).toMatch(/services\.web\.build\.dockerfile: \S*Dockerfile\.web leads to \/etc\/passwd, which is outside/);
    expect(result.text).not.toContain('root:');
  });

  it('a folder link that stays inside the project is fine', () => {
    const dir = project('app: demo\nservice:\n  port: 8000\n  build: { context: app-link }\n', { 'app/Dockerfile': 'FROM python:3.12-slim\n' });
    symlinkSync(join(dir, 'app'), join(dir, 'app-link'));
    expect(() => loadConfig({ cwd: dir })).not.toThrow();
  });

  it('a berth.yml reached through a linked folder checks against the real folder', () => {
    const dir = project('app: demo\nservice: { port: 8000 }\n');
    const linked = join(mkdtempSync(join(tmpdir(), 'berth-linked-')), 'project');
    symlinkSync(dir, linked);
    expect(() => loadConfig({ cwd: linked })).not.toThrow();
  });
});
