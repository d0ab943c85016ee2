import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerHealthCommand, engineHealthTest, HEALTH_PROBE_SCRIPT } from './container-health-command.js';

const health = (path: string, extra: { container?: boolean } = {}) => ({ path, timeout: 3, ...extra });

describe('containerHealthCommand', () => {
  it('is exec form: the probe script is constant and the URL reaches it as an argument', () => {
    const command = containerHealthCommand(8000, health('/health'))!;
    expect(command).toEqual(['CMD', '/bin/sh', '-c', HEALTH_PROBE_SCRIPT, 'berth-health', 'http://127.0.0.1:8000/health', '3']);
    const hostile = containerHealthCommand(8000, health("/h?x=$(touch /tmp/INJECTED)';`id`"))!;
    expect(hostile[3]).toBe(HEALTH_PROBE_SCRIPT);
    expect(HEALTH_PROBE_SCRIPT).not.toContain('INJECTED');
  });

  it('is absent when health.container is false; the engine then turns any image HEALTHCHECK off, as ECS ignores it', () => {
    expect(containerHealthCommand(8000, health('/', { container: false }))).toBeUndefined();
    expect(engineHealthTest(8000, health('/', { container: false }))).toEqual(['NONE']);
    expect(engineHealthTest(8000, health('/'))[0]).toBe('CMD');
  });
});

/** The probe run by /bin/sh as the container runs it, with PATH holding only one HTTP client. */
describe('the probe script, run as the engine runs it', () => {
  let server: Server;
  let port = 0;
  const seen: string[] = [];
  let status = 200;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.url ?? '');
      response.writeHead(status).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function toolPath(tool: string): string | undefined {
    try {
      if (tool === 'python3') return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || undefined;
      return execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  function probe(tool: string, path: string): Promise<number> {
    const bin = mkdtempSync(join(tmpdir(), `berth-probe-${tool}-`));
    symlinkSync(toolPath(tool)!, join(bin, tool));
    const [, shell, ...args] = containerHealthCommand(port, health(path))!;
    return new Promise((resolve) => {
      const child = spawn(shell!, args, { env: { PATH: bin }, stdio: 'ignore' });
      child.on('close', (code) => resolve(code ?? -1));
    });
  }

  for (const tool of ['curl', 'wget', 'python3', 'node']) {
    it.skipIf(!toolPath(tool))(`${tool}: passes on 2xx, fails otherwise, and the path arrives literally without running anything`, async () => {
      const marker = join(mkdtempSync(join(tmpdir(), 'berth-injected-')), 'INJECTED');
      status = 200;
      seen.length = 0;
      expect(await probe(tool, `/health?x=$(touch${'${IFS}'}${marker})&y=\`touch${'${IFS}'}${marker}\``)).toBe(0);
      expect(seen.at(-1)).toMatch(/^\/health\?x=(\$|%24)\(touch/);
      expect(existsSync(marker)).toBe(false);
      status = 503;
      expect(await probe(tool, '/health')).not.toBe(0);
    });
  }

  it('says which clients it looked for when the image has none', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'berth-probe-none-'));
    const [, shell, ...args] = containerHealthCommand(port, health('/'))!;
    const stderr = await new Promise<string>((resolve) => {
      let text = '';
      const child = spawn(shell!, args, { env: { PATH: empty } });
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('close', () => resolve(text));
    });
    expect(stderr).toContain('no curl, wget, python or node in the image; set health.container: false');
  });
});
