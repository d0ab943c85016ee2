/**
 * Data on the local engine: PostgreSQL and Redis run beside the app with named volumes; rows survive a
 * redeploy and a destroy without --purge; secrets reach the app and never the output. App lt-data on 18181.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, buildBerth, fixtureApp, get, type FixtureApp } from './local-support.js';

const PORT = 18181;
const BASE = `http://127.0.0.1:${PORT}`;
const SECRET = 'lt-secret-value-5521';
let app: FixtureApp;

beforeAll(() => {
  buildBerth();
  app = fixtureApp(`app: lt-data
service:
  port: 8000
  secrets: [API_TOKEN]
  health: { path: /health, interval: 5, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }
database: postgres
cache: redis
local: { port: ${PORT} }
`);
});

afterAll(async () => {
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
});

describe('local data', () => {
  it('refuses to deploy while a declared secret has no value, naming it', async () => {
    const result = await berth(app, ['deploy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('API_TOKEN');
    expect(result.stderr).toContain('berth secrets set API_TOKEN --env local');
  });

  it('stores a secret from stdin and lists it without its value', async () => {
    expect((await berth(app, ['secrets', 'set', 'API_TOKEN'], SECRET)).code).toBe(0);
    const list = await berth(app, ['secrets', 'list']);
    expect(list.stdout).toMatch(/API_TOKEN\s+\d{4}-\d\d-\d\dT\S+\s+yes/);
    expect(list.stdout + list.stderr).not.toContain(SECRET);
  });

  it('says when a secret set is not declared, and which declared name was probably meant', async () => {
    const typo = await berth(app, ['secrets', 'set', 'API_TOKN'], SECRET);
    expect(typo.code).toBe(0);
    expect(typo.stdout).toContain('not injected (did you mean API_TOKEN?)');
    expect(typo.stdout + typo.stderr).not.toContain(SECRET);
    expect((await berth(app, ['secrets', 'remove', 'API_TOKN'])).code).toBe(0);
  });

  it('keeps rows across a redeploy and a destroy without --purge', async () => {
    const first = await berth(app, ['deploy']);
    expect(first.stderr).toContain('Dependencies: postgres, redis');
    expect(first.code).toBe(0);
    expect(first.stdout + first.stderr).not.toContain(SECRET);
    expect(await get(`${BASE}/secret-length`)).toEqual({ status: 200, body: String(SECRET.length) });
    expect((await get(`${BASE}/redis`)).body).toBe('redis True');
    expect((await get(`${BASE}/db/write/alpha`)).status).toBe(200);

    expect((await berth(app, ['deploy'])).code).toBe(0);
    expect((await get(`${BASE}/db/read`)).body).toBe('alpha');

    const destroyed = await berth(app, ['destroy', '--yes']);
    expect(destroyed.code).toBe(0);
    expect(destroyed.stderr).toContain('kept volumes');
    expect(execFileSync('docker', ['ps', '-aq', '--filter', 'label=org.berth.app=lt-data'], { encoding: 'utf8' }).trim()).toBe('');
    await expect(fetch(`${BASE}/`)).rejects.toThrow();

    expect((await berth(app, ['deploy'])).code).toBe(0);
    expect((await get(`${BASE}/db/read`)).body).toBe('alpha');
    const status = JSON.parse((await berth(app, ['status', '--json'])).stdout) as { dependencies: Array<{ kind: string }>; release: { number: number } };
    expect(status.dependencies.map((dependency) => dependency.kind).sort()).toEqual(['cache', 'database']);
    expect(status.release.number).toBe(3);
  }, 400_000);

  it('destroy refuses without --yes when there is no terminal', async () => {
    const result = await berth(app, ['destroy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
  });

  it('destroy --purge removes the volumes, the release images and the doctor\'s build', async () => {
    // The doctor's build of the app (berth doctor tags it lt-data:doctor), made here from a release image.
    const release = execFileSync('docker', ['images', '-q', 'berth-lt-data'], { encoding: 'utf8' }).trim().split('\n')[0]!;
    execFileSync('docker', ['tag', release, 'lt-data:doctor']);
    expect((await berth(app, ['destroy', '--purge', '--yes'])).code).toBe(0);
    expect(execFileSync('docker', ['volume', 'ls', '-q', '--filter', 'name=berth-lt-data-local'], { encoding: 'utf8' }).trim()).toBe('');
    expect(execFileSync('docker', ['images', '-q', 'lt-data:doctor'], { encoding: 'utf8' }).trim()).toBe('');
    expect(execFileSync('docker', ['images', '-q', 'berth-lt-data'], { encoding: 'utf8' }).trim()).toBe('');
  }, 120_000);
});
