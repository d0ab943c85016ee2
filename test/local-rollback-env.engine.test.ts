/**
 * `berth rollback` runs the restored release's recorded env and secret names (as ECS re-uses a task definition),
 * says what berth.yml changed since (names only), stops before changing anything when a secret the release needs
 * has no value, and falls back to today's env (with a note) for a release recorded without its plan.
 * App lt-rbenv on 127.0.0.1:18400.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentStateDir, releasePlanFile } from '../src/model/index.js';
import { berth, buildBerth, fixtureApp, get, type FixtureApp } from './local-support.js';

const PORT = 18400;
const MODE_URL = `http://127.0.0.1:${PORT}/mode`;
const TOKEN = 'rb-canary-token-5e1f0c';
let app: FixtureApp;

function berthYml(env: string, secrets: string): string {
  return `app: lt-rbenv
service:
  port: 8000
  count: 2
  env: { ${env} }
  secrets: [${secrets}]
  health: { path: /health, interval: 5, timeout: 4, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }
local: { port: ${PORT} }
`;
}

/** What 12 requests through the balancer answered, by body without the replica's host name, and the replicas seen. */
async function modes(): Promise<{ answers: string[]; replicas: number }> {
  const bodies = await Promise.all(Array.from({ length: 12 }, () => get(MODE_URL)));
  expect(bodies.every((answer) => answer.status === 200), JSON.stringify(bodies)).toBe(true);
  return { answers: [...new Set(bodies.map((answer) => answer.body.replace(/ from \S+$/, '')))], replicas: new Set(bodies.map((answer) => answer.body.split(' from ')[1])).size };
}

/** The env of every running replica, as the engine has it (names only for the secret). */
function replicaIds(): string[] {
  return execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', 'label=org.berth.app=lt-rbenv', '--filter', 'label=org.berth.role=app'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
}

function replicaEnv(): Array<{ release: string; env: string[] }> {
  return replicaIds().map((id) => {
    const info = JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' }))[0] as { Config: { Env: string[]; Labels: Record<string, string> } };
    return { release: info.Config.Labels['org.berth.release']!, env: info.Config.Env.filter((entry) => /^(MODE|NEW_FLAG|API_TOKEN)=/.test(entry)).map((entry) => entry.startsWith('API_TOKEN=') ? `API_TOKEN=${entry === `API_TOKEN=${TOKEN}` ? '<the stored value>' : '<another value>'}` : entry).sort() };
  });
}

/** `berth releases --json`, oldest first. */
const releaseList = async () => (JSON.parse((await berth(app, ['releases', '--json'])).stdout) as { releases: Array<{ number: number; status: string; rollbackOf?: number }> }).releases.sort((a, b) => a.number - b.number);

beforeAll(() => {
  buildBerth();
  app = fixtureApp(berthYml('MODE: one', 'API_TOKEN'));
});

afterAll(async () => {
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
});

describe('rollback restores the release env', () => {
  it('deploys release 1 with MODE one and API_TOKEN, release 2 with MODE two, NEW_FLAG and no secret', async () => {
    expect((await berth(app, ['secrets', 'set', 'API_TOKEN'], TOKEN)).code).toBe(0);
    app.setVersion('v1');
    const first = await berth(app, ['deploy']);
    expect(first.code, first.stderr).toBe(0);
    expect(await modes()).toEqual({ answers: ['mode one new-flag unset'], replicas: 2 });
    writeFileSync(join(app.dir, 'berth.yml'), berthYml('MODE: two, NEW_FLAG: "yes"', ''));
    app.setVersion('v2');
    const second = await berth(app, ['deploy']);
    expect(second.code, second.stderr).toBe(0);
    expect((await modes()).answers).toEqual(['mode two new-flag set']);
  }, 400_000);

  it('stops before changing anything when a secret release 1 needs has no value, naming it and the fix', async () => {
    expect((await berth(app, ['secrets', 'remove', 'API_TOKEN', '--yes'])).code).toBe(0);
    const refused = await berth(app, ['rollback']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('release 1 needs the secret API_TOKEN, which has no value for environment local now');
    expect(refused.stderr).toContain('berth secrets set API_TOKEN --env local');
    expect((await releaseList()).map((release) => [release.number, release.status])).toEqual([[1, 'superseded'], [2, 'deployed']]);
    expect((await modes()).answers).toEqual(['mode two new-flag set']);
  }, 120_000);

  it("rolls back to release 1: every replica runs release 1's env and secret, and the output names what changed", async () => {
    expect((await berth(app, ['secrets', 'set', 'API_TOKEN'], TOKEN)).code).toBe(0);
    const rolled = await berth(app, ['rollback']);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stderr).toContain("berth.yml changed since release 1: service.env MODE changed, NEW_FLAG added; service.secrets API_TOKEN removed; rollback runs release 1's env");
    expect(rolled.stderr + rolled.stdout).not.toContain(TOKEN);
    expect(await modes()).toEqual({ answers: ['mode one new-flag unset'], replicas: 2 });
    expect((await get(`http://127.0.0.1:${PORT}/secret-length`)).body).toBe(String(TOKEN.length));
    expect(replicaEnv()).toEqual([
      { release: '3', env: ['API_TOKEN=<the stored value>', 'MODE=one'] },
      { release: '3', env: ['API_TOKEN=<the stored value>', 'MODE=one'] },
    ]);
    expect((await releaseList()).at(-1)).toMatchObject({ number: 3, status: 'deployed', rollbackOf: 1 });
  }, 300_000);

  it('a replica the balancer replaces runs the restored env too (the new release keeps the restored plan)', async () => {
    const [victim, survivor] = replicaIds();
    execFileSync('docker', ['rm', '-f', victim!]);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && replicaIds().length < 2) await new Promise((resolve) => setTimeout(resolve, 500));
    const replacement = replicaIds().filter((id) => id !== survivor);
    expect(replacement).toHaveLength(1);
    expect(replacement[0]).not.toBe(victim);
    expect(replicaEnv()).toEqual([
      { release: '3', env: ['API_TOKEN=<the stored value>', 'MODE=one'] },
      { release: '3', env: ['API_TOKEN=<the stored value>', 'MODE=one'] },
    ]);
  }, 120_000);

  it("says so in --json, and a release recorded without its plan runs today's env with a note", async () => {
    rmSync(releasePlanFile(environmentStateDir('local', 'lt-rbenv', 'local', app.env), 2));
    const rolled = await berth(app, ['rollback', '--to', '2', '--json']);
    expect(rolled.code, rolled.stderr).toBe(0);
    const outcome = JSON.parse(rolled.stdout) as { ok: boolean; release: { number: number; rollbackOf: number }; rollback: { release: number; env: string; changes: unknown[]; note: string } };
    expect(outcome.release).toMatchObject({ number: 4, rollbackOf: 2 });
    expect(outcome.rollback).toEqual({ release: 2, env: 'current', changes: [], note: "release 2 was recorded before berth kept each release's env (no plan was recorded with it): it runs with today's berth.yml env and settings" });
    expect((await modes()).answers).toEqual(['mode two new-flag set']);
  }, 300_000);
});
