import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, runBerth } from './cli.js';

function app(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  return dir;
}

describe('berth validate', () => {
  it('prints the resolved environment and exits 0', async () => {
    const dir = app('app: hello\nservice:\n  port: 8080\nenvironments:\n  prod: { service: { count: 2 } }\n');
    const result = await runBerth(['validate', '--env', 'prod'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('hello (prod, production) is valid');
    expect(result.stdout).toMatch(/count:\n\s+min: 2\n\s+max: 2/);
    // Written out in full, not as YAML anchors and aliases (`service: *a2`) where a value is shared.
    expect(result.stdout).not.toMatch(/[&*]a\d/);
    expect(result.stdout).toMatch(/\nservice:\n\s+name: web\n/);
  });

  it('--json gives the documented shape', async () => {
    const dir = app('app: hello\nservice:\n  port: 8080\n  build: { args: { NEXT_PUBLIC_KEY: abc } }\n');
    const result = await runBerth(['validate', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ valid: true, env: 'local', target: 'local', file: join(dir, 'berth.yml') });
    expect(json.config.app).toBe('hello');
    expect(json.config.service.build).toEqual({ context: '.', dockerfile: 'Dockerfile', args: { NEXT_PUBLIC_KEY: 'abc' } });
    expect(json.config.service.health.path).toBe('/');
  });

  it('names an env entry that looks like a secret and never prints its value, in text or --json', async () => {
    const dir = app('app: hello\nservice:\n  port: 8080\n  env: { STRIPE_SECRET_KEY: sk_live_abcdefghijklmnop1234, LOG_LEVEL: debug }\n');
    const text = await runBerth(['validate'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stderr).toContain('service.env.STRIPE_SECRET_KEY: looks like a secret');
    expect(text.stdout + text.stderr).not.toContain('sk_live_abcdefghijklmnop1234');
    expect(text.stdout).toContain('STRIPE_SECRET_KEY: "*** (looks like a secret; see the warning)"');
    expect(text.stdout).toContain('LOG_LEVEL: debug');
    const json = await runBerth(['validate', '--json'], { cwd: dir });
    expect(json.stdout).not.toContain('sk_live_abcdefghijklmnop1234');
    expect(JSON.parse(json.stdout).config.services[0].env).toEqual({ STRIPE_SECRET_KEY: '*** (looks like a secret; see the warning)', LOG_LEVEL: 'debug' });
  });

  it('--json on an invalid file lists the problems and exits 2', async () => {
    const dir = app('app: hello\nservice:\n  port: 8080\n  memory: 9999\n');
    const result = await runBerth(['validate', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout);
    expect(json.valid).toBe(false);
    expect(json.problems[0]).toMatchObject({ file: 'berth.yml', line: 4, column: 11, path: 'service.memory' });
  });

  it('an unknown environment is a usage error with a suggestion', async () => {
    const dir = app('app: hello\nservice:\n  port: 8080\nenvironments:\n  staging: {}\n');
    const result = await runBerth(['validate', '--env', 'stagin'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('environment "stagin" is not declared');
    expect(result.stderr).toContain('did you mean "staging"?');
    expect(hasStackTrace(result.stderr)).toBe(false);
    // --debug adds the stack, mapped from the bundle to the TypeScript sources.
    const debug = await runBerth(['validate', '--env', 'stagin', '--debug'], { cwd: dir });
    expect(debug.code).toBe(2);
    expect(hasStackTrace(debug.stderr)).toBe(true);
    expect(debug.stderr).toMatch(/at \S+ \(\S+[\\/]src[\\/]config[\\/]load\.ts:\d+:\d+\)/);
  });

  it('an unknown command or flag exits 2', async () => {
    expect((await runBerth(['deplyo'])).code).toBe(2);
    expect((await runBerth(['validate', '--nope'])).code).toBe(2);
  });

  it('--version and --help exit 0', async () => {
    const version = await runBerth(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runBerth(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
  });

  it('berth schema prints a JSON Schema editors can use', async () => {
    const result = await runBerth(['schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toContain('json-schema.org');
    expect(schema.required).toEqual(['app']);
    expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining(['service', 'services', 'release']));
    expect(schema.properties.service.properties.port).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535 });
  });
});
