/**
 * berth deploy on the real Docker engine: zero-downtime redeploy, a failed release that leaves the old one
 * serving, self-healing of a killed replica. One app (lt-roll) on 127.0.0.1:18180.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureEvidence } from '../src/doctor/failure-evidence.js';
import { berth, buildBerth, fixtureApp, get, startLoad, type FixtureApp } from './local-support.js';

const PORT = 18180;
const URL = `http://127.0.0.1:${PORT}/`;
let app: FixtureApp;

beforeAll(() => {
  buildBerth();
  app = fixtureApp(`app: lt-roll
service:
  port: 8000
  count: 2
  health: { path: /health, interval: 5, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }
local: { port: ${PORT} }
`);
});

afterAll(async () => {
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
});

describe('local rollout', () => {
  it('deploys, then redeploys a changed app with 0 failed requests; afterwards every answer is the new release', async () => {
    app.setVersion('v1');
    const first = await berth(app, ['deploy']);
    expect(first.stderr).toContain('Health checks');
    // Fast local probes, and what the same checks cost in time on AWS (health: interval 5, healthyThreshold 2).
    expect(first.stderr).toMatch(/healthy; on AWS the same checks take at least 10s \(2 passes, 5s apart\)/);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`http://127.0.0.1:${PORT}`);
    expect((await get(URL)).body).toMatch(/^release v1/);

    app.setVersion('v2');
    const load = startLoad(URL);
    const second = await berth(app, ['deploy', '--json']);
    const result = await load.stop();
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, release: { number: 2, status: 'deployed' }, url: `http://127.0.0.1:${PORT}` });
    expect(result.failures).toEqual([]);
    expect(result.total).toBeGreaterThan(50);
    expect(result.bodies.some((body) => body.startsWith('release v1'))).toBe(true);
    for (let i = 0; i < 20; i += 1) expect((await get(URL)).body).toMatch(/^release v2/);
  }, 300_000);

  it('stops a release whose health path fails: exit 1 naming the cause, the old release keeps serving with 0 failed requests', async () => {
    app.setVersion('v3');
    app.setHealthStatus(500);
    const load = startLoad(URL);
    const failed = await berth(app, ['deploy']);
    const result = await load.stop();
    app.setHealthStatus(200);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/failed the health check 2 times in a row: HTTP 500 from \/health/);
    expect(failed.stderr).toContain('v3 "GET /health HTTP/1.1" 500');
    expect(result.failures).toEqual([]);
    expect(result.bodies.every((body) => body.startsWith('release v2'))).toBe(true);
    const containers = execFileSync('docker', ['ps', '-a', '--filter', 'label=org.berth.app=lt-roll', '--filter', 'label=org.berth.release=3', '-q'], { encoding: 'utf8' }).trim();
    expect(containers).toBe('');
    const record = JSON.parse(readFileSync(join(app.dir, '.state/local/lt-roll/local/last-failure.json'), 'utf8')) as { release: number; evidence: FailureEvidence };
    expect(record.release).toBe(3);
    expect(record.evidence.targetHealth.map((target) => [target.state, target.reason])).toContainEqual(['unhealthy', 'Target.ResponseCodeMismatch']);
    expect(record.evidence.logTail.join('\n')).toContain('500');
    const releases = JSON.parse((await berth(app, ['releases', '--json'])).stdout) as { releases: Array<{ number: number; status: string }> };
    expect(releases.releases.slice(0, 2).map((release) => [release.number, release.status])).toEqual([[3, 'failed'], [2, 'deployed']]);
  }, 300_000);

  it('replaces a killed replica; it leaves the rotation at once and requests keep succeeding', async () => {
    const before = JSON.parse((await berth(app, ['status', '--json'])).stdout) as { tasks: { items: Array<{ id: string; health: string }> } };
    const victim = before.tasks.items[0]!.id;
    const load = startLoad(URL);
    const killedAt = Date.now();
    execFileSync('docker', ['kill', victim]);
    let replaced = false;
    let outOfRotationMs: number | undefined;
    while (Date.now() - killedAt < 60_000) {
      const status = JSON.parse((await berth(app, ['status', '--json'])).stdout) as { tasks: { healthy: number; items: Array<{ id: string; health: string }> } };
      const item = status.tasks.items.find((entry) => entry.id === victim);
      if (outOfRotationMs === undefined && item?.health !== 'healthy') outOfRotationMs = Date.now() - killedAt;
      if (!item && status.tasks.healthy === 2) {
        replaced = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const result = await load.stop();
    expect(replaced).toBe(true);
    // It left the rotation before it was replaced, and no request reached it meanwhile (no timed assertion: the
    // figure goes to the log; a loaded machine stretches it).
    expect(outOfRotationMs).toBeDefined();
    console.log(`killed replica out of rotation after ${outOfRotationMs} ms (health checks: 2 failures 5 s apart)`);
    expect(result.failures).toEqual([]);
    expect(result.total).toBeGreaterThan(20);
  }, 120_000);

  it('rolls back to the previous release as a new release', async () => {
    const rollback = await berth(app, ['rollback', '--to', '1', '--json']);
    expect(rollback.code).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ ok: true, release: { number: 4, rollbackOf: 1 } });
    expect((await get(URL)).body).toMatch(/^release v1/);
    expect(existsSync(join(app.dir, '.state/local/lt-roll/local/last-failure.json'))).toBe(false);
    const logs = await berth(app, ['logs', '--since', '5m', '--filter', 'GET /health']);
    expect(logs.stdout).toMatch(/^web-r4-\d-[0-9a-f]{4} +\| v1 "GET \/health/m);
  }, 180_000);
});
