/** `berth plan --diagram` and `berth ui` as a user runs them (the built CLI). */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BERTH, hasStackTrace, runBerth } from './cli.js';

const out = mkdtempSync(join(tmpdir(), 'berth-diagram-cli-'));
const FLASK = 'examples/flask-hello/berth.yml';

describe('berth plan --diagram', () => {
  it('- writes the SVG to stdout and nothing else', async () => {
    const result = await runBerth(['plan', '--config', FLASK, '--env', 'prod', '--diagram', '-'], { env: { BERTH_STATE_DIR: out } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    expect(result.stdout).toContain('id="node_service_Service"');
    expect(result.stdout).toContain('/month');
  }, 60_000);

  it('FILE.png writes a PNG and says what it drew', async () => {
    const file = join(out, 'flask.png');
    const result = await runBerth(['plan', '--config', FLASK, '--env', 'prod', '--diagram', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Diagram of flask-hello \(prod\): \d+ nodes, \d+ connections, \$[\d.]+ per month -> /);
    expect(readFileSync(file).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  }, 60_000);

  it('the local environment: containers, balancer and volumes, no synthesis', async () => {
    const result = await runBerth(['plan', '--config', 'examples/news-api/berth.yml', '--diagram', '-']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('berth-news-api-local-database-data');
    expect(result.stdout).toContain('Load balancer');
  }, 60_000);

  it('--json with a file prints what was drawn; --json with - is a usage error', async () => {
    const file = join(out, 'flask.svg');
    const result = await runBerth(['plan', '--config', FLASK, '--env', 'prod', '--diagram', file, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ env: 'prod', file, format: 'svg', currency: 'USD', monthly: { min: expect.any(Number), max: expect.any(Number) } });
    const both = await runBerth(['plan', '--config', FLASK, '--env', 'prod', '--diagram', '-', '--json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--diagram -');
  }, 60_000);

  it('an unknown extension is a usage error, before any synthesis', async () => {
    const result = await runBerth(['plan', '--config', FLASK, '--env', 'prod', '--diagram', join(out, 'x.jpg')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--diagram');
    expect(result.stderr).toContain('.svg or .png');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

describe('berth ui', () => {
  it('--host with something that is not an address is a usage error', async () => {
    const result = await runBerth(['ui', '--config', FLASK, '--host', 'everywhere']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--host everywhere');
  });

  it('--json prints the URL with its token, on 127.0.0.1; a request without the token gets 401', async () => {
    const child = spawn(process.execPath, [BERTH, 'ui', '--config', FLASK, '--port', '0', '--json'], { env: { ...process.env, BERTH_STATE_DIR: out, NO_COLOR: '1' } });
    try {
      const document = await new Promise<{ url: string; port: number; environments: Array<{ name: string }> }>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          try { resolve(JSON.parse(text)); } catch { /* not complete yet */ }
        });
        child.on('exit', (code) => reject(new Error(`berth ui exited ${code}`)));
      });
      expect(document.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${document.port}/env/local/\\?token=[A-Za-z0-9_-]{32}$`));
      expect(document.environments.map((env) => env.name)).toEqual(['local', 'prod']);
      expect((await fetch(`http://127.0.0.1:${document.port}/env/local/`)).status).toBe(401);
      expect((await fetch(document.url, { redirect: 'manual' })).status).toBe(303);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
