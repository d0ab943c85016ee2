import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runBerth } from './cli.js';

describe('berth plan on the local environment', () => {
  const config = join(REPO, 'examples', 'news-api', 'berth.yml');

  it('shows replicas, dependencies with volumes, the balancer and the environment names', async () => {
    const result = await runBerth(['plan', '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 replicas behind http://127.0.0.1:8080');
    expect(result.stdout).toMatch(/database\s+postgres:16 as berth-news-api-local-database, data in volume berth-news-api-local-database-data/);
    expect(result.stdout).toMatch(/cache\s+redis:7/);
    expect(result.stdout).toMatch(/DATABASE_URL\s+secret/);
    expect(result.stdout).toContain('berth plan --env staging');
    expect(result.stdout).not.toContain('<generated>');
  });

  it('--json gives the local shape without any connection value', async () => {
    const result = await runBerth(['plan', '--config', config, '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ env: 'local', target: 'local', url: 'http://127.0.0.1:8080', replicas: { count: 2, port: 8000 } });
    expect(json.dependencies.map((d: { role: string }) => d.role)).toEqual(['database', 'cache']);
    expect(json.environment.map((v: { name: string }) => v.name)).toContain('REDIS_URL');
    expect(result.stdout).not.toMatch(/postgres(ql)?:\/\//);
  });

  it('keeps the single-service fields in --json as deprecated aliases beside services', async () => {
    const json = JSON.parse((await runBerth(['plan', '--config', config, '--json'])).stdout);
    expect(json.services).toEqual([expect.objectContaining({ name: 'web', kind: 'web', replicas: 2, port: 8000, route: { default: true } })]);
    expect(json.environment).toEqual(json.services[0].environment);
    expect(json.routes).toEqual([]);
    expect(json.defaultService).toBe('web');
  });
});

describe('berth plan on the local environment with many services (examples/news-worker)', () => {
  const config = join(REPO, 'examples', 'news-worker', 'berth.yml');

  it('shows every service, the routes in listener-rule order, the job, the before task and who receives what', async () => {
    const result = await runBerth(['plan', '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('news-worker on the local Docker engine (local): 4 replicas of 3 services behind http://127.0.0.1:8080, 1 job');
    expect(result.stdout).toMatch(/worker \(worker\)\s+1 × news-worker built from the Dockerfile at deploy running python worker\.py, no port/);
    expect(result.stdout).toMatch(/fetch \(job\)\s+cron "\*\/15 \* \* \* \*" \(UTC\)/);
    expect(result.stdout).toMatch(/1\s+path \/feeds\/\* -> feeds\n\s+every other request -> web/);
    expect(result.stdout).toContain('Before each release: python migrate.py');
    expect(result.stdout).toMatch(/also answers db, postgres, postgresql, database on the network/);
    expect(result.stdout).toMatch(/Environment worker also receives\n\s+WEB_URL\s+plain .*http:\/\/web:8000/);
  });

  it('--json lists services, routes and the before task', async () => {
    const json = JSON.parse((await runBerth(['plan', '--config', config, '--json'])).stdout);
    expect(json.services.map((service: { name: string; kind: string }) => [service.name, service.kind])).toEqual([['web', 'web'], ['feeds', 'web'], ['worker', 'worker'], ['fetch', 'job']]);
    expect(json.routes).toEqual([{ service: 'feeds', priority: 1, path: '/feeds/*' }]);
    expect(json.release).toEqual({ before: { service: 'web', command: ['python', 'migrate.py'] } });
    expect(json.services[3]).toMatchObject({ schedule: 'cron "*/15 * * * *" (UTC)', timeout: 300, command: ['python', 'fetch.py'] });
    expect(json.replicas).toMatchObject({ count: 2, port: 8000 });
  });

  it('says where the code connects to a compose host name, and whether berth answers it locally', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-compose-'));
    cpSync(join(REPO, 'test/fixtures/apps/compose-flask-redis/app'), dir, { recursive: true });
    writeFileSync(join(dir, 'berth.yml'), 'app: cfr-plan\nservice: { port: 8000 }\ncache: redis\n');
    const result = await runBerth(['plan', '--config', join(dir, 'berth.yml')]);
    expect(result.stdout).toMatch(/app\.py:5\s+redis: answered locally by a network alias — counter = Redis\(host="redis", port=6379\)/);
    const json = JSON.parse((await runBerth(['plan', '--config', join(dir, 'berth.yml'), '--json'])).stdout);
    expect(json.composeHostnames).toEqual([expect.objectContaining({ hostname: 'redis', file: 'app.py', line: 5, answered: true })]);
  });
});
