/**
 * berth validate and plan as a user runs them on input that is not an ordinary berth.yml: warnings that keep
 * exit 0, a device or another file passed as --config. The in-process corpus covers the files; this proves the CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, runBerth } from './cli.js';

const CANARY = 'sk_live_cliCanary0123456789';

function app(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-input-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12-slim\n');
  return dir;
}

const SECRET_IN_ENV = `app: shop
service:
  port: 8000
  env:
    LOG_LEVEL: info
    STRIPE_SECRET_KEY: ${CANARY}
`;

describe('warnings keep exit 0', () => {
  it.concurrent('validate warns about a secret-looking env entry on stderr, at its line, without the value', async () => {
    const result = await runBerth(['validate'], { cwd: app(SECRET_IN_ENV) });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: berth.yml:6:5: service.env.STRIPE_SECRET_KEY: looks like a secret (its value looks like a Stripe key)');
    expect(result.stderr).toContain('move it to service.secrets: [STRIPE_SECRET_KEY]');
    expect(result.stdout).toContain('shop (local) is valid');
    expect(result.stderr).not.toContain(CANARY);
  });

  it.concurrent('validate --json lists the warnings', async () => {
    const result = await runBerth(['validate', '--json'], { cwd: app(SECRET_IN_ENV) });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { valid: boolean; warnings: Array<{ path: string; line: number }> };
    expect(json.valid).toBe(true);
    expect(json.warnings.map((warning) => [warning.path, warning.line])).toEqual([['service.env.STRIPE_SECRET_KEY', 6]]);
  });

  it.concurrent('plan warns the same way and still plans', async () => {
    const result = await runBerth(['plan'], { cwd: app(SECRET_IN_ENV) });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: berth.yml:6:5: service.env.STRIPE_SECRET_KEY: looks like a secret');
    expect(result.stdout).toContain('shop on the local Docker engine');
    expect(result.stdout + result.stderr).not.toContain(CANARY);
  });

  it.concurrent('a file without such entries has no warning', async () => {
    const result = await runBerth(['validate'], { cwd: app('app: shop\nservice:\n  port: 8000\n  env: { LOG_LEVEL: info, TOKEN_TTL: 3600 }\n') });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('warning:');
  });
});

describe('--config that is not a berth.yml', () => {
  it.concurrent('/dev/zero: exit 2 at once, one line, no stack trace', async () => {
    const result = await runBerth(['validate', '--config', '/dev/zero'], { timeoutMs: 20_000 });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error: /dev/zero: is a character device, not a file');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it.concurrent('a file in /etc/shadow\'s shape is "not a berth.yml" in one line, none of its lines echoed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-cli-shadow-'));
    const shadow = join(dir, 'shadow');
    writeFileSync(shadow, ['root', 'daemon', 'bin', 'sys', 'www-data'].map((user) => `${user}:$6$cliCanaryHash$abc:20228:0:99999:7:::`).join('\n'));
    const result = await runBerth(['validate', '--config', shadow]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a berth.yml: it sets neither app nor service, and 5 of its 5 top-level keys are not berth.yml keys');
    expect(result.stderr).not.toContain('cliCanaryHash');
    expect(result.stderr).not.toContain('root');
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });
});
