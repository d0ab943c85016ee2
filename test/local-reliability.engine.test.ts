/**
 * The local target survives faults without a new release: a replica whose process is killed (the engine restarts
 * it) rejoins the rotation, a SIGKILLed balancer is started again by its supervisor with its routing and health,
 * a missing balancer is started again by the next berth command, a balancer running an earlier berth's code is
 * restarted by the next deploy, a stopped PostgreSQL is started again, and a
 * stale pid file never makes destroy signal an unrelated process. App lt-rel on 127.0.0.1:18186.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentStateDir, localSecretsFile, STATE_FILES } from '../src/model/index.js';
import { BalancerClient } from '../src/targets/local/balancer-client.js';
import { parseIdentity } from '../src/targets/local/process-identity.js';
import { berth, buildBerth, deployUntil, fixtureApp, get, ROOT, startLoad, type FixtureApp } from './local-support.js';

const PORT = 18186;
const URL = `http://127.0.0.1:${PORT}/`;
const INTERVAL = 5;
const HEALTHY_THRESHOLD = 2;
// Canaries: over 16 KiB (the engine splits such log lines) and multi-line.
const TOKEN = `canary-${'k7Q'.repeat(7000)}`;
const MULTI = 'first-line-canary-a1b2\nsecond-line-canary-c3d4\n';
let app: FixtureApp;
let stateDir: string;
let client: BalancerClient;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * When the balancer's events (newest first, `<ISO time> <text>`) show replica `id` leaving the rotation after
 * `sinceMs` (stopped, or restarted by the engine) and then becoming healthy: the time of that healthy event.
 */
function rejoinTime(events: readonly string[], id: string, sinceMs: number): number | undefined {
  const mine = events
    .map((line) => ({ at: Date.parse(line.slice(0, line.indexOf(' '))), text: line.slice(line.indexOf(' ') + 1) }))
    .filter((event) => event.at >= sinceMs - 1000 && event.text.startsWith(`${id}: `))
    .reverse();
  const left = mine.findIndex((event) => /container stopped; out of rotation|restarted by the engine/.test(event.text));
  if (left < 0) return undefined;
  return mine.slice(left + 1).find((event) => / -> healthy/.test(event.text))?.at;
}
const inspect = (id: string) => JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' }))[0] as { Id: string; State: { Pid: number; Running: boolean; StartedAt: string }; RestartCount: number };
const listReleases = async () => (JSON.parse((await berth(app, ['releases', '--json'])).stdout) as { releases: Array<{ number: number; status: string }> }).releases;
const releaseCount = async () => (await listReleases()).length;
const identity = (file: string) => parseIdentity(readFileSync(join(stateDir, file), 'utf8'));

const appContainers = () => execFileSync('docker', ['ps', '-a', '--filter', 'label=org.berth.app=lt-rel', '--filter', 'label=org.berth.role=app', '--format', '{{.Label "org.berth.release"}}'], { encoding: 'utf8' })
  .trim().split('\n').filter(Boolean).map((release) => ({ release })).sort((a, b) => a.release.localeCompare(b.release));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  buildBerth();
  app = fixtureApp(`app: lt-rel
service:
  port: 8000
  count: 2
  secrets: [API_TOKEN, MULTI_LINE]
  health: { path: /health, interval: ${INTERVAL}, timeout: 4, healthyThreshold: ${HEALTHY_THRESHOLD}, unhealthyThreshold: 2, gracePeriod: 0 }
database: postgres
local: { port: ${PORT} }
`);
  stateDir = environmentStateDir('local', 'lt-rel', 'local', app.env);
  client = new BalancerClient(stateDir, localSecretsFile('lt-rel', 'local', app.env));
});

afterAll(async () => {
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
});

describe('local target under faults', () => {
  it('deploys under a supervised balancer that records its identity', async () => {
    app.setVersion('v1');
    expect((await berth(app, ['secrets', 'set', 'API_TOKEN'], TOKEN)).code).toBe(0);
    expect((await berth(app, ['secrets', 'set', 'MULTI_LINE'], MULTI)).code).toBe(0);
    const deploy = await berth(app, ['deploy']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect((await get(URL)).body).toMatch(/^release v1/);
    expect(identity(STATE_FILES.supervisorPid)?.command).toMatch(/balancer-supervisor\.js/);
    expect(identity(STATE_FILES.balancerPid)?.command).toMatch(/balancer-daemon\.js/);
    expect((await get(`${URL}db/write/row1`)).status).toBe(200);
  }, 300_000);

  it('a replica whose process is killed (kill -9) is restarted by the engine and rejoins the rotation', async () => {
    const status = (await client.status())!;
    const victim = status.backends.find((backend) => backend.health === 'healthy')!;
    const before = inspect(victim.containerId);
    const load = startLoad(URL, 3000);
    const killedAt = Date.now();
    process.kill(before.State.Pid, 'SIGKILL');
    let runningAgainAt: number | undefined;
    let rejoinedAt: number | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && rejoinedAt === undefined) {
      const now = inspect(victim.containerId);
      if (runningAgainAt === undefined && now.State.Running && now.State.StartedAt !== before.State.StartedAt) runningAgainAt = Date.parse(now.State.StartedAt.replace(/(\.\d{3})\d*Z$/, '$1Z'));
      // Out of the rotation first (the balancer saw it stop or restart), then healthy again, read from the balancer's
      // events (the window between them is well under a second with fast probes, shorter than this loop's poll).
      const answer = await client.status();
      const backend = answer?.backends.find((entry) => entry.id === victim.id);
      if (runningAgainAt !== undefined && backend?.health === 'healthy' && backend.containerId === victim.containerId) rejoinedAt = rejoinTime(answer?.events ?? [], victim.id, killedAt);
      await sleep(100);
    }
    const result = await load.stop();
    expect(runningAgainAt, 'the engine restarted the container').toBeDefined();
    expect(rejoinedAt, `the restarted replica is healthy in the balancer again; its events: ${JSON.stringify((await client.status())?.events.filter((event) => event.includes(victim.id)))}`).toBeDefined();
    const rejoinMs = rejoinedAt! - runningAgainAt!;
    console.log(`replica rejoin: ${rejoinMs} ms after the engine restarted it; ${result.total} requests, ${result.failures.length} failed`);
    expect(rejoinMs).toBeLessThan((HEALTHY_THRESHOLD * INTERVAL + 2) * 1000);
    expect(result.failures).toEqual([]);
    // It serves again: its host name (the container id's first 12 characters) answers.
    const hostname = victim.containerId.slice(0, 12);
    const bodies = await Promise.all(Array.from({ length: 12 }, () => get(URL)));
    expect(bodies.some((answer) => answer.body.includes(hostname))).toBe(true);
  }, 120_000);

  it('a SIGKILLed balancer serves again with its routing and health, without a new release; status shows the restart', async () => {
    const releases = await releaseCount();
    expect(releases).toBe(1);
    const daemon = identity(STATE_FILES.balancerPid)!;
    process.kill(daemon.pid, 'SIGKILL');
    const killedAt = Date.now();
    const failures: string[] = [];
    let servedAt: number | undefined;
    while (Date.now() - killedAt < 20_000 && servedAt === undefined) {
      try {
        const answer = await get(URL);
        if (answer.status === 200) servedAt = Date.now();
        else failures.push(`HTTP ${answer.status}`);
      } catch {
        failures.push('refused');
      }
      if (servedAt === undefined) await sleep(50);
    }
    expect(servedAt, 'requests succeed again').toBeDefined();
    console.log(`balancer SIGKILL: serving again after ${servedAt! - killedAt} ms (${failures.length} refused meanwhile)`);
    // The restarted balancer knew its replicas were healthy: no 503 while it came back.
    expect(failures.filter((failure) => failure.startsWith('HTTP'))).toEqual([]);
    const load = startLoad(URL, 200);
    await sleep(2000);
    expect((await load.stop()).failures).toEqual([]);
    expect(await releaseCount()).toBe(releases);
    expect(identity(STATE_FILES.balancerPid)!.pid).not.toBe(daemon.pid);
    const status = await berth(app, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/load balancer restarts: 1 .*killed by SIGKILL/);
  }, 60_000);

  it('any berth command starts a missing balancer again (balancer and supervisor both killed)', async () => {
    const releases = await releaseCount();
    const supervisor = identity(STATE_FILES.supervisorPid)!;
    const daemon = identity(STATE_FILES.balancerPid)!;
    process.kill(supervisor.pid, 'SIGKILL');
    process.kill(daemon.pid, 'SIGKILL');
    while (alive(daemon.pid) || alive(supervisor.pid)) await sleep(50);
    await expect(get(URL)).rejects.toThrow();
    const status = await berth(app, ['status', '--json']);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { notes: string[] }).notes.join('\n')).toContain('berth started the load balancer again');
    expect((await get(URL)).status).toBe(200);
    expect(await releaseCount()).toBe(releases);
  }, 60_000);

  it('after berth is rebuilt or upgraded, status says the balancer runs the earlier code and the next deploy restarts it with the new', async () => {
    // A new build of berth: dist/.build-stamp names it (its mtime, which decides whether dist/ is stale, is kept).
    const stamp = join(ROOT, 'dist', '.build-stamp');
    const { mtime } = statSync(stamp);
    const newer = `${new Date().toISOString()} (a newer berth)`;
    writeFileSync(stamp, `${newer}\n`);
    utimesSync(stamp, mtime, mtime);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const daemon = identity(STATE_FILES.balancerPid)!;
    const notes = async () => (JSON.parse((await berth(app, ['status', '--json'])).stdout) as { notes: string[] }).notes.join('\n');
    expect(await notes()).toContain(`, not this berth ${version} (built ${newer}): the next deploy or rollback restarts it with this one`);
    const load = startLoad(URL, 2000);
    const deploy = await berth(app, ['deploy']);
    const result = await load.stop();
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toContain(`, now berth ${version} (built ${newer}) (about a second without answers)`);
    expect(deploy.stderr).toMatch(/berth restarted the load balancer: it ran berth \S+ \(built /);
    expect(identity(STATE_FILES.balancerPid)!.pid).not.toBe(daemon.pid);
    expect(await notes()).not.toContain('the next deploy or rollback restarts it');
    // Requests during the restart are refused for about a second (the balancer's port is closed), never answered 5xx.
    console.log(`balancer code upgrade during deploy: ${result.total} requests, ${result.failures.length} failed`);
    expect(result.failures.filter((failure) => /HTTP 5/.test(failure))).toEqual([]);
    expect((await get(URL)).status).toBe(200);
  }, 120_000);

  it('a stopped PostgreSQL is started again and the app recovers without a deploy', async () => {
    const releases = await releaseCount();
    const database = 'berth-lt-rel-local-database';
    const before = inspect(database);
    execFileSync('docker', ['stop', database]);
    let recovered = false;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && !recovered) {
      const answer = await get(`${URL}db/read`).catch(() => undefined);
      recovered = answer?.status === 200 && answer.body === 'row1';
      if (!recovered) await sleep(500);
    }
    expect(recovered).toBe(true);
    expect(inspect(database).State.StartedAt).not.toBe(before.State.StartedAt);
    expect(await releaseCount()).toBe(releases);
    const status = JSON.parse((await berth(app, ['status', '--json'])).stdout) as { notes: string[] };
    expect(status.notes.join('\n')).toMatch(/the database was stopped .*started it again/);
  }, 120_000);

  it('SIGINT during health checks undoes the rollout (exit 130, one line); SIGKILL leaves a record; no number is reused, no orphan remains', async () => {
    const serving = (JSON.parse((await berth(app, ['status', '--json'])).stdout) as { release: { number: number } }).release.number;
    app.setVersion('v2');
    const load = startLoad(URL, 3000);
    const interrupted = await deployUntil(app, 'Health checks', 'SIGINT');
    const result = await load.stop();
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain(`interrupted: removed the 2 new replicas of release ${serving + 1}; release ${serving} keeps serving`);
    expect(result.failures).toEqual([]);
    expect(appContainers().map((container) => container.release)).toEqual([String(serving), String(serving)]);
    expect(existsSync(join(stateDir, STATE_FILES.operationLock))).toBe(false);
    expect((await get(URL)).body).toMatch(/^release v1/);

    const killed = await deployUntil(app, 'Health checks', 'SIGKILL');
    expect(killed.code).not.toBe(0);
    const releases = await listReleases();
    expect(releases.slice(0, 2).map((release) => [release.number, release.status])).toEqual([[serving + 2, 'interrupted'], [serving + 1, 'interrupted']]);
    const next = await berth(app, ['deploy', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as { release: { number: number } }).release.number).toBe(serving + 3);
    expect(appContainers().map((container) => container.release)).toEqual([String(serving + 3), String(serving + 3)]);
    expect((await get(URL)).body).toMatch(/^release v2/);
  }, 400_000);

  it('never shows a secret value: not in logs (text, --json), not in any state file; state files are 0600 in 0700 folders', async () => {
    const password = (JSON.parse(readFileSync(localSecretsFile('lt-rel', 'local', app.env), 'utf8')) as { generated: { databasePassword: string } }).generated.databasePassword;
    // The app logs each request's path: make it print every canary (the long one straight to a replica: the
    // balancer, like the ALB, refuses request lines over 16 KiB).
    const replica = (await client.status())!.backends.find((backend) => backend.health === 'healthy')!;
    expect((await get(`${replica.url}/${TOKEN}`)).status).toBe(200);
    expect((await get(`${URL}pw/${password}`)).status).toBe(200);
    expect((await get(`${URL}second-line-canary-c3d4`)).status).toBe(200);
    const canaries = [TOKEN, password, 'second-line-canary-c3d4', 'first-line-canary-a1b2', TOKEN.slice(0, 16_000)];
    for (const args of [['logs'], ['logs', '--json']]) {
      const logs = await berth(app, args);
      expect(logs.code).toBe(0);
      const output = logs.stdout + logs.stderr;
      expect(output).toContain('GET /***');
      expect(output).toContain('GET /pw/***');
      for (const canary of canaries) expect(output.includes(canary), `${args.join(' ')} shows a secret`).toBe(false);
    }
    const files = execFileSync('find', [stateDir], { encoding: 'utf8' }).trim().split('\n');
    for (const file of files) {
      const stat = statSync(file);
      if (stat.isDirectory()) expect((stat.mode & 0o777).toString(8), file).toBe('700');
      else if (stat.isFile()) {
        expect((stat.mode & 0o777).toString(8), file).toBe('600');
        const text = readFileSync(file, 'utf8');
        for (const canary of canaries) expect(text.includes(canary), `${file} holds a secret`).toBe(false);
      }
    }
  }, 120_000);

  it('destroy stops the balancer, removes its pid files and never signals a process a stale pid file names', async () => {
    const supervisor = identity(STATE_FILES.supervisorPid)!;
    const daemon = identity(STATE_FILES.balancerPid)!;
    const bystander = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      // The pid files now name an unrelated process (as after a pid is reused), in the old and the new format.
      writeFileSync(join(stateDir, STATE_FILES.balancerPid), `${bystander.pid}\n`);
      writeFileSync(join(stateDir, STATE_FILES.supervisorPid), JSON.stringify({ ...supervisor, pid: bystander.pid }));
      const destroyed = await berth(app, ['destroy', '--yes']);
      expect(destroyed.code, destroyed.stderr).toBe(0);
      expect(alive(bystander.pid!)).toBe(true);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (alive(supervisor.pid) || alive(daemon.pid))) await sleep(100);
      expect(alive(supervisor.pid)).toBe(false);
      expect(alive(daemon.pid)).toBe(false);
      expect(existsSync(join(stateDir, STATE_FILES.balancerPid))).toBe(false);
      expect(existsSync(join(stateDir, STATE_FILES.supervisorPid))).toBe(false);
    } finally {
      bystander.kill('SIGKILL');
    }
  }, 120_000);
});
