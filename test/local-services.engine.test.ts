/**
 * Many services on the real Docker engine: examples/news-worker (web + feeds routed by path, a worker on a Redis
 * queue, a scheduled job, a release.before migration) deployed with berth as a user would. The copy gets its own
 * app name (lt-news), port 18183, a secret, and a one-minute schedule for its job.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, buildBerth, get, ROOT, startLoad, type FixtureApp } from './local-support.js';

const PORT = 18183;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = 'lt-news-token-8842';
let app: FixtureApp;

interface StatusJson {
  release?: { number: number };
  url?: string;
  services: Array<{ name: string; kind: string; route?: { path?: string; default: boolean }; tasks?: { desired: number; healthy: number }; schedule?: string; runs?: Array<{ trigger: string; status: string; exitCode?: number }> }>;
  tasks: { desired: number; healthy: number; items: Array<{ id: string; service?: string }> };
}

const status = async () => JSON.parse((await berth(app, ['status', '--json'])).stdout) as StatusJson;
const stats = async () => JSON.parse((await get(`${BASE}/stats`)).body) as { articles: number; processed: number; migrationRuns: number; digests: number };
const containers = (...filters: string[]) => execFileSync('docker', ['ps', '-aq', '--filter', 'label=org.berth.app=lt-news', ...filters.flatMap((filter) => ['--filter', `label=${filter}`])], { encoding: 'utf8' }).trim();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${BASE}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(() => {
  buildBerth();
  const dir = mkdtempSync(join(tmpdir(), 'lt-news-'));
  cpSync(join(ROOT, 'examples/news-worker'), dir, { recursive: true });
  const yml = readFileSync(join(dir, 'berth.yml'), 'utf8')
    .replace(/^app: news-worker$/m, 'app: lt-news\nsecrets: [LT_NEWS_TOKEN]')
    .replace('schedule: "*/15 * * * *"', 'schedule: "* * * * *"');
  writeFileSync(join(dir, 'berth.yml'), `${yml}local: { port: ${PORT} }\n`);
  app = { dir, env: { ...process.env, BERTH_STATE_DIR: join(dir, '.state'), BERTH_CONFIG_DIR: join(dir, '.config'), CI: '1', NO_COLOR: '1' }, setVersion: () => undefined, setHealthStatus: () => undefined };
});

afterAll(async () => {
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
});

describe('many services on the local engine (examples/news-worker)', () => {
  it('deploys every service: the migration first, web through the balancer, /feeds/* to the second web service', async () => {
    expect((await berth(app, ['secrets', 'set', 'LT_NEWS_TOKEN'], TOKEN)).code).toBe(0);
    const deploy = await berth(app, ['deploy']);
    expect(deploy.stderr).toContain('Release task before traffic moves: python migrate.py');
    expect(deploy.stderr).toContain('Start 4 replicas (web 2, feeds 1, worker 1) of release 1');
    expect(deploy.code).toBe(0);
    expect(deploy.stdout + deploy.stderr).not.toContain(TOKEN);

    expect((await get(`${BASE}/health`)).status).toBe(200);
    expect(JSON.parse((await get(`${BASE}/feeds/`)).body)).toEqual({ feeds: ['/feeds/latest.xml'], service: 'feeds' });
    // Not under /feeds/: the web service (FastAPI answers its own 404 as JSON).
    expect(await get(`${BASE}/feedsx`)).toEqual({ status: 404, body: '{"detail":"Not Found"}' });
    expect((await stats()).migrationRuns).toBe(1);

    const report = await status();
    expect(report.services.map((service) => [service.name, service.kind])).toEqual([['web', 'web'], ['feeds', 'web'], ['worker', 'worker'], ['fetch', 'job']]);
    expect(report.services.find((service) => service.name === 'feeds')).toMatchObject({ route: { path: '/feeds/*', default: false }, tasks: { desired: 1, healthy: 1 } });
    expect(report.services.find((service) => service.name === 'worker')).toMatchObject({ tasks: { desired: 1, healthy: 1 } });
    expect(report.services.find((service) => service.name === 'fetch')).toMatchObject({ schedule: 'cron "* * * * *" (UTC)' });
    // The deprecated single-service fields count every replica.
    expect(report.tasks).toMatchObject({ desired: 4, healthy: 4 });
    const text = (await berth(app, ['status'])).stdout;
    expect(text).toMatch(/feeds\s+web\s+path \/feeds\/\*\s+1\/1 healthy/);
  }, 600_000);

  it('the worker processes an article enqueued through the web API', async () => {
    const created = await post('/articles', { title: 'Harbour opens', url: 'https://example.com/harbour', body: 'The new harbour opens today. Ships arrive from every port.' });
    expect(created.status).toBe(202);
    expect(created.json.processed).toBe(false);
    let article: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 60 && article.processed !== true; attempt += 1) {
      await sleep(500);
      article = JSON.parse((await get(`${BASE}/articles/${String(created.json.id)}`)).body) as Record<string, unknown>;
    }
    expect(article).toMatchObject({ processed: true, word_count: 12, summary: 'The new harbour opens today' });
    expect(article.keywords).toContain('harbour');
    expect((await get(`${BASE}/feeds/latest.xml`)).body).toContain('<title>Harbour opens</title>');
    const logs = await berth(app, ['logs', '--service', 'worker', '--since', '5m']);
    expect(logs.stdout).toMatch(/^worker-r1-1-[0-9a-f]{4} +\| .*article \d+ processed: 12 words/m);
    const mixed = await berth(app, ['logs', '--since', '5m', '--filter', 'processed:']);
    expect(mixed.stdout).toMatch(/^worker +r1-1-[0-9a-f]{4} +\| /m);
  }, 120_000);

  it('berth jobs run fetch runs the job now with the release\'s image and environment, and records the run', async () => {
    const run = await berth(app, ['jobs', 'run', 'fetch']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/digest \d+: 1 articles, 12 words, top keywords harbour/);
    const digest = JSON.parse((await get(`${BASE}/digests/latest`)).body) as { article_count: number };
    expect(digest.article_count).toBe(1);
    const fetchJob = (await status()).services.find((service) => service.name === 'fetch')!;
    expect(fetchJob.runs).toContainEqual(expect.objectContaining({ trigger: 'manual', status: 'succeeded', exitCode: 0 }));
    expect(containers('org.berth.role=job')).toBe('');
    const unknown = await berth(app, ['jobs', 'run', 'fech']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean fetch?');
  }, 180_000);

  it('berth run: a throw-away container on the network, the command\'s exit code, secrets only in the command\'s own output', async () => {
    const seven = await berth(app, ['run', '--', 'sh', '-c', 'exit 7']);
    expect(seven.code).toBe(7);
    const env = await berth(app, ['run', '--', 'env']);
    expect(env.code).toBe(0);
    expect(env.stdout).toContain(`LT_NEWS_TOKEN=${TOKEN}`);
    expect(env.stdout).toContain('FEEDS_URL=http://feeds:8001');
    expect(env.stderr).not.toContain(TOKEN);
    // Compose host names (redis, db) and the other services by name, as the replicas see them.
    const reach = await berth(app, ['run', '--service', 'worker', '--', 'python', '-c',
      "import redis, psycopg2, os, urllib.request as u; print(redis.Redis(host='redis').ping(), psycopg2.connect(host='db', dbname='lt_news', user='berth', password=os.environ['PGPASSWORD']).closed, u.urlopen('http://feeds:8001/health').status, u.urlopen(os.environ['WEB_URL'] + '/health').status)"]);
    expect(reach.stdout.trim()).toBe('True 0 200 200');
    expect(reach.code).toBe(0);
    const missing = await berth(app, ['run', 'env']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('berth run -- env');
    expect(containers('org.berth.role=task')).toBe('');
  }, 180_000);

  it('berth exec: a command inside a running replica, its exit code passed on', async () => {
    const four = await berth(app, ['exec', '--service', 'worker', '--', 'sh', '-c', 'echo in-worker; exit 4']);
    expect(four.code).toBe(4);
    expect(four.stdout.trim()).toBe('in-worker');
    const second = await berth(app, ['exec', '--replica', '2', '--', 'hostname']);
    expect(second.code).toBe(0);
    const names = (await status()).tasks.items.filter((item) => item.service === 'web').map((item) => item.id);
    const hostnames = names.map((name) => execFileSync('docker', ['inspect', '-f', '{{.Config.Hostname}}', name], { encoding: 'utf8' }).trim());
    expect(hostnames).toContain(second.stdout.trim());
    const job = await berth(app, ['exec', '--service', 'fetch', '--', 'true']);
    expect(job.code).toBe(2);
    expect(job.stderr).toContain('fetch is a job');
  }, 120_000);

  it('runs release.before once per release; a failing one stops the release and the previous keeps serving with 0 failed requests', async () => {
    const redeploy = await berth(app, ['deploy']);
    expect(redeploy.code).toBe(0);
    expect((await stats()).migrationRuns).toBe(2);

    const migrate = join(app.dir, 'migrate.py');
    const good = readFileSync(migrate, 'utf8');
    writeFileSync(migrate, 'import os, sys\nprint("migration 0042 failed: column already exists", os.environ["LT_NEWS_TOKEN"], flush=True)\nsys.exit(3)\n');
    const load = startLoad(`${BASE}/health`);
    const failed = await berth(app, ['deploy']);
    const result = await load.stop();
    writeFileSync(migrate, good);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('error: the release.before task (python migrate.py) exited with code 3; no replica was changed');
    expect(failed.stderr).toContain('migration 0042 failed: column already exists ***');
    expect(failed.stdout + failed.stderr).not.toContain(TOKEN);
    expect(result.failures).toEqual([]);
    expect(result.total).toBeGreaterThan(20);
    expect(containers('org.berth.release=3')).toBe('');
    const releases = JSON.parse((await berth(app, ['releases', '--json'])).stdout) as { releases: Array<{ number: number; status: string; reason?: string }> };
    expect(releases.releases.slice(0, 2)).toEqual([
      expect.objectContaining({ number: 3, status: 'failed', reason: expect.stringContaining('exited with code 3') }),
      expect.objectContaining({ number: 2, status: 'deployed' }),
    ]);
    expect((await stats()).migrationRuns).toBe(2);
    expect((await status()).release?.number).toBe(2);
  }, 600_000);

  it('runs the job on its schedule while the environment is up', async () => {
    let scheduled: { status: string } | undefined;
    // The schedule is every minute: a run is due within 60 s of any moment, and the earlier tests took longer.
    for (let attempt = 0; attempt < 50 && scheduled?.status !== 'succeeded'; attempt += 1) {
      scheduled = (await status()).services.find((service) => service.name === 'fetch')!.runs!.find((run) => run.trigger === 'schedule');
      if (scheduled?.status !== 'succeeded') await sleep(2000);
    }
    expect(scheduled).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect((await stats()).digests).toBeGreaterThanOrEqual(2);
  }, 150_000);

  it('destroy removes every container of the environment, job runs and one-off tasks included', async () => {
    const destroyed = await berth(app, ['destroy', '--purge', '--yes']);
    expect(destroyed.code).toBe(0);
    expect(containers()).toBe('');
    await expect(fetch(`${BASE}/health`)).rejects.toThrow();
  }, 180_000);
});
