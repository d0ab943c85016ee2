/**
 * A failed `berth deploy` on the real Docker engine says why at once: the first error line is the doctor's cause
 * for fixture apps broken in one way each (test/fixtures/diagnosis). Short health timing keeps each run brief.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, buildBerth, ROOT, type FixtureApp } from './local-support.js';

const PORT = 18190;
const apps: FixtureApp[] = [];

/** Short timing; DEFAULT_TIMING leaves berth's defaults (grace 60 s, checks 30 s apart, 3 failures: 150 s before checks alone fail). */
const SHORT_TIMING = '{ path: /, interval: 5, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }';
const DEFAULT_TIMING = '{ path: / }';

/** `name`: the app name when `ld-<fixture>` would pass berth's 20-character limit. */
function brokenApp(fixture: string, health = SHORT_TIMING, name = fixture): FixtureApp {
  const dir = mkdtempSync(join(tmpdir(), 'ld-app-'));
  cpSync(join(ROOT, 'test/fixtures/diagnosis', fixture), dir, { recursive: true });
  writeFileSync(join(dir, 'berth.yml'), `app: ld-${name}
service:
  port: 8000
  health: ${health}
local: { port: ${PORT + apps.length} }
`);
  const env = { ...process.env, BERTH_STATE_DIR: join(dir, '.state'), BERTH_CONFIG_DIR: join(dir, '.config'), CI: '1', NO_COLOR: '1' };
  const app: FixtureApp = { dir, env, setVersion: () => undefined, setHealthStatus: () => undefined };
  apps.push(app);
  return app;
}

/** The lines berth printed after the progress: the first one starting with "error:" and the one after it. */
function errorLines(stderr: string): string[] {
  const lines = stderr.split('\n');
  const first = lines.findIndex((line) => line.startsWith('error:'));
  return first < 0 ? [] : lines.slice(first, first + 2);
}

beforeAll(() => buildBerth());

afterAll(async () => {
  for (const app of apps) await berth(app, ['destroy', '--purge', '--yes']);
});

describe('berth deploy names the cause of a failed local rollout first', { timeout: 240_000 }, () => {
  it('an app listening on another port', async () => {
    const result = await berth(brokenApp('wrong-port'), ['deploy']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)).toEqual(['error: The app listens on port 80, not on service.port 8000: the health checks to port 8000 get no answer.', expect.stringMatching(/^fix: /)]);
  });

  it('with the default health timing, stops on the sockets\' evidence, not after the grace period and every check', async () => {
    // --timeout 100s: the checks alone could not fail before 150 s, so a failure that names the sockets came from them.
    const result = await berth(brokenApp('wrong-port', DEFAULT_TIMING), ['deploy', '--timeout', '100s', '--json']);
    expect(result.code).toBe(1);
    const outcome = JSON.parse(result.stdout) as { reasons: string[] };
    expect(outcome.reasons[0]).toMatch(/: the app listens on port 80, not on service\.port 8000 \(its sockets\)$/);
  });

  it('an app listening on 127.0.0.1 only (default health timing)', async () => {
    const result = await berth(brokenApp('loopback', DEFAULT_TIMING), ['deploy', '--timeout', '100s']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)[0]).toMatch(/^error: The app listens on 127\.0\.0\.1:8000 only: inside a container that is the container itself/);
    expect(result.stderr).not.toContain('was not healthy within');
  });

  it('an app that crashes at start', async () => {
    const result = await berth(brokenApp('crash-on-start'), ['deploy']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)[0]).toMatch(/^error: The app crashed while starting \(exit code 1\): .*ZeroDivisionError/);
  });

  it('an app that connects to a compose host name (default health timing: stops on its log line, not after every check)', async () => {
    // --timeout 100s: the checks alone could not fail before 150 s, so the cause came from the replica's own error line.
    const result = await berth(brokenApp('compose-hostname', DEFAULT_TIMING), ['deploy', '--timeout', '100s']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      'error: The app connects to Redis at the host "redis", a service name from a docker-compose file; that name does not resolve here.',
      'fix: Declare `cache: redis` in berth.yml and connect with REDIS_URL, which berth sets, instead of the fixed host "redis": on AWS only the variable works.',
    ]);
    expect(result.stderr).not.toContain('was not healthy within');
    expect(result.stderr).not.toMatch(/ECS|task definition|Target\.|target group|security group|ElastiCache/);
  });

  it('an app whose image lacks a module it imports', async () => {
    const result = await berth(brokenApp('missing-dependency', DEFAULT_TIMING, 'missing-dep'), ['deploy', '--timeout', '100s']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)).toEqual(['error: The app imports waitress, which is not installed in the image.', expect.stringMatching(/^fix: Add waitress to the app's dependencies \(requirements\.txt/)]);
    expect(result.stderr).not.toMatch(/ECS|task definition|Target\.|target group|security group/);
  });

  it('an image with an ENTRYPOINT and no CMD', async () => {
    const result = await berth(brokenApp('no-cmd'), ['deploy']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)[0]).toMatch(/^error: The image has no CMD \(ENTRYPOINT .*docker-entrypoint.sh.*\), so the container ran without a server command/);
    expect(result.stderr).not.toMatch(/EssentialContainerExited|task definition|ECS/);
  });

  it('a replica that exits once while starting (it lost a race for the database tables) is started again; a second exit would fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ld-app-'));
    cpSync(join(ROOT, 'test/fixtures/local/lt-web'), dir, { recursive: true });
    // Each replica exits 3 on its first start only: its writable layer keeps the marker across the engine's restart.
    writeFileSync(join(dir, 'berth.yml'), `app: ld-crash-once
service:
  port: 8000
  count: 2
  health: ${SHORT_TIMING.replace('path: /,', 'path: /health,')}
  command: [sh, -c, "if [ ! -e /tmp/started ]; then touch /tmp/started; echo 'duplicate key value violates unique constraint' >&2; exit 3; fi; exec python3 -u /app/server.py"]
local: { port: ${PORT + apps.length} }
`);
    const app: FixtureApp = { dir, env: { ...process.env, BERTH_STATE_DIR: join(dir, '.state'), BERTH_CONFIG_DIR: join(dir, '.config'), CI: '1', NO_COLOR: '1' }, setVersion: () => undefined, setHealthStatus: () => undefined };
    apps.push(app);
    const result = await berth(app, ['deploy']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/exited with code 3 while starting; the engine started it again/g)).toHaveLength(2);
  });
});
