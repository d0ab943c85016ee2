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

function brokenApp(fixture: string): FixtureApp {
  const dir = mkdtempSync(join(tmpdir(), 'ld-app-'));
  cpSync(join(ROOT, 'test/fixtures/diagnosis', fixture), dir, { recursive: true });
  writeFileSync(join(dir, 'berth.yml'), `app: ld-${fixture}
service:
  port: 8000
  health: { path: /, interval: 5, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }
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

  it('an app listening on 127.0.0.1 only', async () => {
    const result = await berth(brokenApp('loopback'), ['deploy']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)[0]).toMatch(/^error: The app listens on 127\.0\.0\.1:8000 only: inside a container that is the container itself/);
  });

  it('an app that crashes at start', async () => {
    const result = await berth(brokenApp('crash-on-start'), ['deploy']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)[0]).toMatch(/^error: The app crashed while starting \(exit code 1\): .*ZeroDivisionError/);
  });

  it('an image with an ENTRYPOINT and no CMD', async () => {
    const result = await berth(brokenApp('no-cmd'), ['deploy']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)[0]).toMatch(/^error: The image has no CMD \(ENTRYPOINT .*docker-entrypoint.sh.*\), so the container ran without a server command/);
    expect(result.stderr).not.toMatch(/EssentialContainerExited|task definition|ECS/);
  });
});
