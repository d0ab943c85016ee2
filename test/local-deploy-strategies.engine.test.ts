/**
 * berth.yml `deploy` on the real Docker engine: blue/green (test requests through the test port, one switch, the old
 * replicas kept for the bake, then drained), a failing green that never takes production traffic, `berth rollback`
 * during the bake, canary, and Ctrl-C during the bake and during the canary time. Every deploy under a bounded request stream to 127.0.0.1. One
 * app (lt-switch) on 127.0.0.1:18240 (test port 18241).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, berthAtMarkers, buildBerth, deployUntil, fixtureApp, get, startLoad, type FixtureApp } from './local-support.js';

const PORT = 18240;
const URL = `http://127.0.0.1:${PORT}/`;
let app: FixtureApp;

function berthYml(deploy: string): string {
  return `app: lt-switch
service:
  port: 8000
  count: 2
  health: { path: /health, interval: 5, timeout: 4, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }
local: { port: ${PORT} }
deploy: ${deploy}
`;
}

function useDeploy(deploy: string): void {
  writeFileSync(join(app.dir, 'berth.yml'), berthYml(deploy));
}

const appReleases = () => execFileSync('docker', ['ps', '-a', '--filter', 'label=org.berth.app=lt-switch', '--filter', 'label=org.berth.role=app', '--format', '{{.Label "org.berth.release"}}'], { encoding: 'utf8' })
  .trim().split('\n').filter(Boolean).sort();

beforeAll(async () => {
  buildBerth();
  app = fixtureApp(berthYml('{ strategy: blue-green, bake: 5s }'));
  app.setVersion('v1');
  const first = await berth(app, ['deploy']);
  expect(first.code, first.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
});

describe('local blue/green and canary', () => {
  it('blue/green: test requests reach only green, then one switch; blue stays for the bake, then drains; 0 failed requests', async () => {
    app.setVersion('v2');
    const load = startLoad(URL);
    const deploy = await berth(app, ['deploy']);
    const result = await load.stop();
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toContain(`Test requests through 127.0.0.1:${PORT + 1}`);
    expect(deploy.stderr).toContain('Bake: release 1 stays ready for 5s');
    expect(result.failures).toEqual([]);
    expect(result.total).toBeGreaterThan(50);
    // One switch: once an answer came from v2, none came from v1 again.
    const firstNew = result.bodies.findIndex((body) => body.startsWith('release v2'));
    expect(firstNew).toBeGreaterThan(0);
    expect(result.bodies.slice(firstNew).filter((body) => body.startsWith('release v1'))).toEqual([]);
    for (let i = 0; i < 10; i += 1) expect((await get(URL)).body).toMatch(/^release v2/);
  }, 300_000);

  it('a failing green never receives production traffic: exit 1 with the cause, blue keeps serving', async () => {
    app.setVersion('v3');
    app.setHealthStatus(500);
    const load = startLoad(URL);
    const failed = await berth(app, ['deploy']);
    const result = await load.stop();
    app.setHealthStatus(200);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/failed the health check 2 times in a row: HTTP 500 from \/health/);
    expect(result.failures).toEqual([]);
    expect(result.bodies.every((body) => body.startsWith('release v2'))).toBe(true);
  }, 300_000);

  it('berth rollback during the bake returns traffic to blue at once; the deploy exits 1 saying so', async () => {
    useDeploy('{ strategy: blue-green, bake: 60s }');
    app.setVersion('v4');
    const load = startLoad(URL);
    const deploying = berth(app, ['deploy']);
    // Wait (bounded) until green has the traffic: the bake has started.
    let switched = false;
    for (let i = 0; i < 240 && !switched; i += 1) {
      switched = (await get(URL)).body.startsWith('release v4');
      if (!switched) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(switched).toBe(true);
    const rollback = await berth(app, ['rollback', '--json']);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ ok: true, release: { number: 2 } });
    // The switch back is one balancer configuration change: the next requests are answered by blue.
    for (let i = 0; i < 10; i += 1) expect((await get(URL)).body).toMatch(/^release v2/);
    const deploy = await deploying;
    const result = await load.stop();
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain('`berth rollback` returned traffic to release 2');
    expect(result.failures).toEqual([]);
    const releases = JSON.parse((await berth(app, ['releases', '--json'])).stdout) as { releases: Array<{ number: number; status: string }> };
    expect(releases.releases.slice(0, 2).map((release) => [release.number, release.status])).toEqual([[4, 'rolled-back'], [3, 'failed']]);
  }, 300_000);

  it('canary: the new release takes its share first, then all; 0 failed requests', async () => {
    useDeploy('{ strategy: canary, bake: 0, canary: { percent: 50, for: 5s } }');
    app.setVersion('v5');
    const load = startLoad(URL);
    const deploy = await berth(app, ['deploy']);
    const result = await load.stop();
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toContain('Canary: 50% of requests on the new release for 5s');
    expect(result.failures).toEqual([]);
    expect(result.bodies.some((body) => body.startsWith('release v5'))).toBe(true);
    expect(result.bodies.some((body) => body.startsWith('release v2'))).toBe(true);
    for (let i = 0; i < 10; i += 1) expect((await get(URL)).body).toMatch(/^release v5/);
  }, 300_000);

  it('Ctrl-C during the bake undoes the deploy like a rolling one: traffic back on blue, green removed, exit 130, one line', async () => {
    useDeploy('{ strategy: blue-green, bake: 60s }');
    app.setVersion('v6');
    const load = startLoad(URL);
    const interrupted = await deployUntil(app, 'Bake: release 5', 'SIGINT');
    const result = await load.stop();
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain('interrupted: traffic returned to release 5 and the 2 new replicas of release 6 removed; release 5 keeps serving');
    expect(result.failures).toEqual([]);
    for (let i = 0; i < 10; i += 1) expect((await get(URL)).body).toMatch(/^release v5/);
    expect(appReleases()).toEqual(['5', '5']);
    const releases = JSON.parse((await berth(app, ['releases', '--json'])).stdout) as { releases: Array<{ number: number; status: string }> };
    expect(releases.releases.slice(0, 2).map((release) => [release.number, release.status])).toEqual([[6, 'interrupted'], [5, 'deployed']]);
  }, 300_000);

  it('Ctrl-C during the canary time: its share goes back to the serving release, the canary replicas are removed, exit 130, one line', async () => {
    useDeploy('{ strategy: canary, bake: 0, canary: { percent: 50, for: 60s } }');
    app.setVersion('v7');
    const load = startLoad(URL);
    let canaryServed = false;
    const interrupted = await berthAtMarkers(app, ['deploy'], [{
      marker: 'Canary: 50%',
      // Ctrl-C once the canary has answered a request of its own (within 10 s).
      action: async (child) => {
        for (let i = 0; i < 100 && !canaryServed; i += 1) canaryServed = (await get(URL)).body.startsWith('release v7');
        child.kill('SIGINT');
      },
    }]);
    const result = await load.stop();
    expect(canaryServed, 'the canary had its share before the interrupt').toBe(true);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    const lines = interrupted.stderr.split('\n').filter((line) => line.startsWith('interrupted'));
    expect(lines).toEqual(['interrupted: traffic returned to release 5 and the 2 new replicas of release 7 removed; release 5 keeps serving']);
    expect(result.failures).toEqual([]);
    for (let i = 0; i < 10; i += 1) expect((await get(URL)).body).toMatch(/^release v5/);
    expect(appReleases()).toEqual(['5', '5']);
    const releases = JSON.parse((await berth(app, ['releases', '--json'])).stdout) as { releases: Array<{ number: number; status: string }> };
    expect(releases.releases.slice(0, 2).map((release) => [release.number, release.status])).toEqual([[7, 'interrupted'], [6, 'interrupted']]);
  }, 300_000);
});
