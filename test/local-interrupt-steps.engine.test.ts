/**
 * Ctrl-C (SIGINT) and SIGKILL of `berth deploy` at the steps an interrupt used not to undo: while the previous
 * release drains (after the switch; a slow request keeps it draining) and while the `release.before` task runs —
 * for a rolling deploy and for blue/green's final drain and bake. Under a bounded request stream to 127.0.0.1:
 * 0 failed requests, the previous release serves, no orphan container after the next command, no release number
 * reused, the lock released. Apps lt-intr on 127.0.0.1:18430 and lt-intr-bg on 127.0.0.1:18440 (test port 18441).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentStateDir, releaseTaskContainerName, STATE_FILES } from '../src/model/index.js';
import { berth, berthAtMarkers, buildBerth, fixtureApp, get, sendSignal as send, startLoad, type FixtureApp } from './local-support.js';

const PORT = 18430;
const URL = `http://127.0.0.1:${PORT}/`;
const BG_PORT = 18440;
const BG_URL = `http://127.0.0.1:${BG_PORT}/`;
// timeout 4 s: on a loaded CI machine the engine's container check (docker exec, /bin/sh, python3) can take over
// 2 s, and two such timeouts mark a healthy replica unhealthy, which status rightly reports as a problem.
const HEALTH = '{ path: /health, interval: 5, timeout: 4, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }';
// A release.before task that runs until it is stopped (it exits at once on SIGTERM, as a migration tool would).
const SLOW_BEFORE = `[python3, -c, "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(143)); print('migrating', flush=True); time.sleep(60)"]`;
const DRAIN = 'Drain 2 replicas of the previous release';

let app: FixtureApp;
let bg: FixtureApp;

function rollingYml(before?: string): string {
  return `app: lt-intr
service:
  port: 8000
  count: 2
  health: ${HEALTH}
local: { port: ${PORT} }
${before ? `release: { before: ${before} }\n` : ''}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The release label of each container of the app (replicas, tasks, job runs), sorted. */
function containersOf(name: string): string[] {
  return execFileSync('docker', ['ps', '-a', '--filter', `label=org.berth.app=${name}`, '--filter', 'label=org.berth.env=local', '--format', '{{.Label "org.berth.role"}}:{{.Label "org.berth.release"}}'], { encoding: 'utf8' })
    .trim().split('\n').filter(Boolean).sort();
}

function beforeTaskRunning(release: number): boolean {
  const name = releaseTaskContainerName('lt-intr', 'local', release);
  return execFileSync('docker', ['ps', '--filter', `name=^/${name}$`, '--filter', 'status=running', '--format', '{{.Names}}'], { encoding: 'utf8' }).trim() === name;
}

function beforeTaskExists(release: number): boolean {
  const name = releaseTaskContainerName('lt-intr', 'local', release);
  return execFileSync('docker', ['ps', '-a', '--filter', `name=^/${name}$`, '--format', '{{.Names}}'], { encoding: 'utf8' }).trim() === name;
}

async function releasesOf(of: FixtureApp): Promise<Array<[number, string]>> {
  const listed = await berth(of, ['releases', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { releases: Array<{ number: number; status: string }> }).releases.map((release) => [release.number, release.status]);
}

const lockFile = (of: FixtureApp, name: string) => join(environmentStateDir('local', name, 'local', of.env), STATE_FILES.operationLock);

/** A request that stays in flight on whichever replica takes it (the fixture's /slow/<seconds>). */
async function slowRequest(url: string, seconds: number): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(`${url}slow/${seconds}`, { signal: AbortSignal.timeout((seconds + 30) * 1000) });
    return { status: response.status, body: (await response.text()).trim() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

beforeAll(async () => {
  buildBerth();
  app = fixtureApp(rollingYml());
  app.setVersion('v1');
  const first = await berth(app, ['deploy']);
  expect(first.code, first.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
  if (bg) await berth(bg, ['destroy', '--purge', '--yes']);
});

describe('interrupts at each deploy step (rolling)', () => {
  it('SIGINT while the previous release drains: it is back in rotation, the new replicas are removed, exit 130, one line', async () => {
    app.setVersion('v2');
    const load = startLoad(URL, 3000);
    let slow: Promise<{ status: number; body: string }> | undefined;
    // The slow request starts while the new replicas are only checked: it is on an old replica when the drain begins.
    const deploy = await berthAtMarkers(app, ['deploy'], [
      { marker: 'Health checks', action: () => { slow = slowRequest(URL, 15); } },
      { marker: DRAIN, action: send('SIGINT') },
    ]);
    const result = await load.stop();
    expect(deploy.code, deploy.stderr).toBe(130);
    const line = 'interrupted while release 1 drained: release 1 is back in rotation and the 2 new replicas of release 2 removed; release 1 keeps serving';
    expect(deploy.stderr).toContain(line);
    expect(deploy.stderr.split('\n').filter((text) => text.startsWith('interrupted'))).toEqual([line]);
    console.log(`rolling drain SIGINT: ${result.total} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect((await slow)?.body).toMatch(/^slow release v1/);
    for (let i = 0; i < 6; i += 1) expect((await get(URL)).body).toMatch(/^release v1/);
    expect(containersOf('lt-intr')).toEqual(['app:1', 'app:1']);
    expect(existsSync(lockFile(app, 'lt-intr'))).toBe(false);
    expect((await releasesOf(app)).slice(0, 2)).toEqual([[2, 'interrupted'], [1, 'deployed']]);
  }, 300_000);

  it('SIGKILL while the previous release drains: the next command (status) puts it back in rotation and removes the new replicas', async () => {
    app.setVersion('v3');
    const load = startLoad(URL, 3000);
    let slow: Promise<{ status: number; body: string }> | undefined;
    const killed = await berthAtMarkers(app, ['deploy'], [
      { marker: 'Health checks', action: () => { slow = slowRequest(URL, 15); } },
      { marker: DRAIN, action: send('SIGKILL') },
    ]);
    expect(killed.signal).toBe('SIGKILL');
    // The killed deploy's lock is left behind; it does not block the next command.
    expect(existsSync(lockFile(app, 'lt-intr'))).toBe(true);
    const status = await berth(app, ['status', '--json']);
    const result = await load.stop();
    expect(status.code, `${status.stderr}${status.stdout}`).toBe(0);
    expect((JSON.parse(status.stdout) as { notes: string[] }).notes.join('\n')).toContain('the deploy of release 3 was killed before it finished: release 1 is in rotation again and the 2 replicas it left were removed');
    console.log(`rolling drain SIGKILL + status: ${result.total} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect((await slow)?.body).toMatch(/^slow release v1/);
    for (let i = 0; i < 6; i += 1) expect((await get(URL)).body).toMatch(/^release v1/);
    expect(containersOf('lt-intr')).toEqual(['app:1', 'app:1']);
    expect(existsSync(lockFile(app, 'lt-intr'))).toBe(false);
    expect((await releasesOf(app)).slice(0, 3)).toEqual([[3, 'interrupted'], [2, 'interrupted'], [1, 'deployed']]);
  }, 300_000);

  it('SIGINT while release.before runs: the task is stopped and removed, nothing else changes, exit 130, one line', async () => {
    writeFileSync(join(app.dir, 'berth.yml'), rollingYml(SLOW_BEFORE));
    app.setVersion('v4');
    const load = startLoad(URL, 3000);
    const deploy = await berthAtMarkers(app, ['deploy'], [
      {
        marker: 'Release task before traffic moves',
        action: async (child) => {
          for (let i = 0; i < 120 && !beforeTaskRunning(4); i += 1) await sleep(250);
          child.kill('SIGINT');
        },
      },
    ]);
    const result = await load.stop();
    expect(deploy.code, deploy.stderr).toBe(130);
    expect(deploy.stderr).toContain('interrupted: stopped and removed the release.before task of release 4; no replica was changed; release 1 keeps serving');
    console.log(`release.before SIGINT: ${result.total} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect(result.bodies.every((body) => body.startsWith('release v1'))).toBe(true);
    expect(beforeTaskExists(4)).toBe(false);
    expect(containersOf('lt-intr')).toEqual(['app:1', 'app:1']);
    expect(existsSync(lockFile(app, 'lt-intr'))).toBe(false);
    expect((await releasesOf(app))[0]).toEqual([4, 'interrupted']);
  }, 300_000);

  it('SIGKILL while release.before runs: the next command removes the task; the next deploy takes a new number', async () => {
    const load = startLoad(URL, 3000);
    const killed = await berthAtMarkers(app, ['deploy'], [
      {
        marker: 'Release task before traffic moves',
        action: async (child) => {
          for (let i = 0; i < 120 && !beforeTaskRunning(5); i += 1) await sleep(250);
          child.kill('SIGKILL');
        },
      },
    ]);
    expect(killed.signal).toBe('SIGKILL');
    expect(beforeTaskRunning(5), 'the task outlives the killed berth').toBe(true);
    expect((await releasesOf(app)).slice(0, 2)).toEqual([[5, 'interrupted'], [4, 'interrupted']]);
    expect(beforeTaskExists(5)).toBe(false);
    const result = await load.stop();
    console.log(`release.before SIGKILL + releases: ${result.total} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect(containersOf('lt-intr')).toEqual(['app:1', 'app:1']);

    writeFileSync(join(app.dir, 'berth.yml'), rollingYml(`[python3, -c, "print('migrated')"]`));
    const next = await berth(app, ['deploy', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as { release: { number: number } }).release.number).toBe(6);
    expect(containersOf('lt-intr')).toEqual(['app:6', 'app:6']);
    expect((await get(URL)).body).toMatch(/^release v4/);
  }, 300_000);

  it('SIGINT while the image builds: the release is interrupted before any replica starts, exit 130, one line', async () => {
    app.setVersion('v5');
    const deploy = await berthAtMarkers(app, ['deploy'], [{ marker: 'Build Dockerfile', action: send('SIGINT') }]);
    expect(deploy.code, deploy.stderr).toBe(130);
    const line = 'interrupted: release 7 was stopped before any replica started; release 6 keeps serving';
    expect(deploy.stderr.split('\n').filter((text) => text.startsWith('interrupted'))).toEqual([line]);
    expect(containersOf('lt-intr')).toEqual(['app:6', 'app:6']);
    expect((await get(URL)).body).toMatch(/^release v4/);
    expect(existsSync(lockFile(app, 'lt-intr'))).toBe(false);
    expect((await releasesOf(app)).slice(0, 2)).toEqual([[7, 'interrupted'], [6, 'deployed']]);
  }, 300_000);
});

describe('interrupts at each blue/green step', () => {
  beforeAll(async () => {
    bg = fixtureApp(`app: lt-intr-bg
service:
  port: 8000
  count: 2
  health: ${HEALTH}
local: { port: ${BG_PORT} }
deploy: { strategy: blue-green, bake: 3s }
`);
    bg.setVersion('v1');
    const first = await berth(bg, ['deploy']);
    expect(first.code, first.stderr).toBe(0);
  }, 300_000);

  it('SIGINT during the drain after the bake: blue is back in rotation, green removed, exit 130', async () => {
    bg.setVersion('v2');
    const load = startLoad(BG_URL, 3000);
    let slow: Promise<{ status: number; body: string }> | undefined;
    // Started while only the test listener reaches green: on a blue replica through the bake and into the drain.
    const deploy = await berthAtMarkers(bg, ['deploy'], [
      { marker: 'Test requests through', action: () => { slow = slowRequest(BG_URL, 15); } },
      { marker: DRAIN, action: send('SIGINT') },
    ]);
    const result = await load.stop();
    expect(deploy.code, deploy.stderr).toBe(130);
    expect(deploy.stderr).toContain('interrupted while release 1 drained: release 1 is back in rotation and the 2 new replicas of release 2 removed; release 1 keeps serving');
    console.log(`blue/green drain SIGINT: ${result.total} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect((await slow)?.body).toMatch(/^slow release v1/);
    for (let i = 0; i < 6; i += 1) expect((await get(BG_URL)).body).toMatch(/^release v1/);
    expect(containersOf('lt-intr-bg')).toEqual(['app:1', 'app:1']);
    expect(existsSync(lockFile(bg, 'lt-intr-bg'))).toBe(false);
    expect((await releasesOf(bg)).slice(0, 2)).toEqual([[2, 'interrupted'], [1, 'deployed']]);
  }, 300_000);

  it('SIGKILL during the bake: the next command returns traffic to blue and removes green; the next deploy takes a new number', async () => {
    writeFileSync(join(bg.dir, 'berth.yml'), `app: lt-intr-bg
service:
  port: 8000
  count: 2
  health: ${HEALTH}
local: { port: ${BG_PORT} }
deploy: { strategy: blue-green, bake: 60s }
`);
    bg.setVersion('v3');
    const load = startLoad(BG_URL, 3000);
    const killed = await berthAtMarkers(bg, ['deploy'], [{ marker: 'Bake: release 1', action: send('SIGKILL') }]);
    expect(killed.signal).toBe('SIGKILL');
    const status = await berth(bg, ['status', '--json']);
    const result = await load.stop();
    expect(status.code, `${status.stderr}${status.stdout}`).toBe(0);
    expect((JSON.parse(status.stdout) as { notes: string[] }).notes.join('\n')).toContain('release 1 is in rotation again');
    console.log(`blue/green bake SIGKILL + status: ${result.total} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    for (let i = 0; i < 6; i += 1) expect((await get(BG_URL)).body).toMatch(/^release v1/);
    expect(containersOf('lt-intr-bg')).toEqual(['app:1', 'app:1']);
    expect((await releasesOf(bg)).slice(0, 2)).toEqual([[3, 'interrupted'], [2, 'interrupted']]);

    writeFileSync(join(bg.dir, 'berth.yml'), readFileSync(join(bg.dir, 'berth.yml'), 'utf8').replace('bake: 60s', 'bake: 0'));
    const next = await berth(bg, ['deploy', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as { release: { number: number } }).release.number).toBe(4);
    expect(containersOf('lt-intr-bg')).toEqual(['app:4', 'app:4']);
    expect((await get(BG_URL)).body).toMatch(/^release v3/);
  }, 300_000);

  it('SIGKILL during the bake, then rollback: undoing the killed deploy is the rollback; it goes no further back', async () => {
    writeFileSync(join(bg.dir, 'berth.yml'), readFileSync(join(bg.dir, 'berth.yml'), 'utf8').replace('bake: 0', 'bake: 60s'));
    bg.setVersion('v5');
    const killed = await berthAtMarkers(bg, ['deploy'], [{ marker: 'Bake: release 4', action: send('SIGKILL') }]);
    expect(killed.signal).toBe('SIGKILL');
    const rollback = await berth(bg, ['rollback', '--json']);
    expect(rollback.code, `${rollback.stderr}${rollback.stdout}`).toBe(0);
    const outcome = JSON.parse(rollback.stdout) as { release: { number: number }; rollback: { note: string } };
    expect(outcome.release.number).toBe(4);
    expect(outcome.rollback.note).toBe('the rollback stops there: release 4 serves again, as it did before the deploy of release 5; run `berth rollback` again to go back further');
    for (let i = 0; i < 4; i += 1) expect((await get(BG_URL)).body).toMatch(/^release v3/);
    expect(containersOf('lt-intr-bg')).toEqual(['app:4', 'app:4']);
    expect((await releasesOf(bg)).slice(0, 2)).toEqual([[5, 'interrupted'], [4, 'deployed']]);
  }, 300_000);
});
