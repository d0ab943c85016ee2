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
});
