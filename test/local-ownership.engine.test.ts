/**
 * Two folders that both call their app "lt-own" on one engine (the same user: one state and config folder, as
 * by default): the second deploy is refused and names the first berth.yml; --take-over replaces it; the first
 * folder's status then says where the environment went; a third folder with its own state folder is caught by
 * the containers' labels. Port 18195.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, buildBerth, fixtureApp, get, type FixtureApp } from './local-support.js';

const PORT = 18195;
const BASE = `http://127.0.0.1:${PORT}`;
const YML = `app: lt-own
service:
  port: 8000
  health: { path: /health, interval: 5, timeout: 4, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }
local: { port: ${PORT} }
`;
let first: FixtureApp;
let second: FixtureApp;
let third: FixtureApp;

function containers(): string[] {
  return execFileSync('docker', ['ps', '-a', '--filter', 'label=org.berth.app=lt-own', '--format', '{{.Label "org.berth.project"}}'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

beforeAll(() => {
  buildBerth();
  first = fixtureApp(YML);
  first.setVersion('first');
  second = fixtureApp(YML);
  second.setVersion('second');
  second.env = { ...second.env, BERTH_STATE_DIR: first.env.BERTH_STATE_DIR, BERTH_CONFIG_DIR: first.env.BERTH_CONFIG_DIR };
  third = fixtureApp(YML);
});

afterAll(async () => {
  if (second) await berth(second, ['destroy', '--purge', '--yes']);
  if (first) await berth(first, ['destroy', '--purge', '--yes']);
});

describe('two projects with one app name', () => {
  it('refuses the second project\'s deploy with exit 2, naming the first berth.yml; the first keeps serving', async () => {
    expect((await berth(first, ['deploy'])).code).toBe(0);
    expect((await get(BASE)).body).toMatch(/^release first /);

    const refused = await berth(second, ['deploy']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`app "lt-own" (local) belongs to ${join(first.dir, 'berth.yml')}`);
    expect(refused.stderr).toContain('--take-over');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect((await get(BASE)).body).toMatch(/^release first /);
    expect(new Set(containers())).toEqual(new Set([join(first.dir, 'berth.yml')]));
  }, 300_000);

  it('catches the collision from the labels when the other project keeps its state elsewhere', async () => {
    const refused = await berth(third, ['deploy']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`belongs to ${join(first.dir, 'berth.yml')}`);
    const destroy = await berth(third, ['destroy', '--yes']);
    expect(destroy.code).toBe(2);
    expect((await get(BASE)).body).toMatch(/^release first /);
  }, 120_000);

  it('with --take-over the second project replaces it, and the first folder\'s status says where it went', async () => {
    const taken = await berth(second, ['deploy', '--take-over']);
    expect(taken.code).toBe(0);
    expect(taken.stderr).toContain(`took over lt-own (local) from ${join(first.dir, 'berth.yml')}`);
    expect((await get(BASE)).body).toMatch(/^release second /);
    expect(new Set(containers())).toEqual(new Set([join(second.dir, 'berth.yml')]));

    const status = await berth(first, ['status']);
    expect(status.stdout + status.stderr).toContain(`now belongs to ${join(second.dir, 'berth.yml')}`);
    expect((await berth(first, ['deploy'])).code).toBe(2);
    expect((await berth(second, ['deploy'])).code).toBe(0);
  }, 400_000);
});
