import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import type { ResolvedConfig } from '../../config/model.js';
import { dependencyCreateOptions, planLocal, replicaCreateOptions } from './local-plan.js';

function config(yaml: string, env = 'local'): ResolvedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'lt-plan-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12-slim\n');
  return loadConfig({ config: join(dir, 'berth.yml'), env });
}

const NEWS = `
app: news-api
service:
  port: 8000
  count: { min: 3, max: 6, cpu: 70 }
  env: { LOG_LEVEL: info }
  secrets: [API_KEY]
  health: { path: /health, interval: 10, timeout: 3, healthyThreshold: 2, unhealthyThreshold: 4, gracePeriod: 20 }
  stickySessions: 1h
database: postgres
cache: redis
local: { port: 9000 }
`;

describe('planLocal', () => {
  const plan = planLocal(config(NEWS), { release: 7, image: 'berth-news-api:local-release-7', databasePassword: 'pw' });

  it('runs the configured minimum of replicas with the health check of service.health', () => {
    expect(plan.replicas.count).toBe(3);
    expect(plan.replicas.spec.healthcheck).toMatchObject({ Interval: 10e9, Timeout: 3e9, Retries: 4, StartPeriod: 20e9 });
    expect(plan.replicas.spec.healthcheck.Test).toContain('http://127.0.0.1:8000/health');
  });

  it('gives the app DATABASE_URL, PG* and REDIS_URL pointing at the dependency containers', () => {
    expect(plan.replicas.spec.env).toEqual({
      LOG_LEVEL: 'info',
      DATABASE_URL: 'postgresql://berth:pw@berth-news-api-local-database:5432/news_api',
      PGHOST: 'berth-news-api-local-database',
      PGPORT: '5432',
      PGDATABASE: 'news_api',
      PGUSER: 'berth',
      PGPASSWORD: 'pw',
      REDIS_URL: 'redis://berth-news-api-local-cache:6379',
    });
  });

  it('runs PostgreSQL and Redis from their local images with named volumes and health checks', () => {
    expect(plan.dependencies.map((dependency) => [dependency.role, dependency.image, dependency.volume.name])).toEqual([
      ['database', 'postgres:16', 'berth-news-api-local-database-data'],
      ['cache', 'redis:7', 'berth-news-api-local-cache-data'],
    ]);
    const database = dependencyCreateOptions(plan, plan.dependencies[0]!) as { HostConfig: { Mounts: unknown[] }; Healthcheck: { Test: string[] } };
    expect(database.HostConfig.Mounts).toEqual([{ Type: 'volume', Source: 'berth-news-api-local-database-data', Target: '/var/lib/postgresql/data' }]);
    expect(database.Healthcheck.Test.join(' ')).toContain('pg_isready');
  });

  it('labels every container with app, env, role, release and service', () => {
    expect(plan.replicas.spec.labels).toEqual({ 'org.berth.app': 'news-api', 'org.berth.env': 'local', 'org.berth.role': 'app', 'org.berth.release': '7', 'org.berth.service': 'web' });
    expect(plan.dependencies[0]!.labels['org.berth.role']).toBe('database');
  });

  it('puts the balancer on 127.0.0.1:<local.port> with sticky cookies when configured', () => {
    expect(plan.url).toBe('http://127.0.0.1:9000');
    expect(plan.balancer).toMatchObject({ port: 9000, stickySeconds: 3600 });
  });

  it('adds secret values only when a container is created, and refuses a missing one', () => {
    const options = replicaCreateOptions(plan, 'r7-1', { API_KEY: 'k-123' }) as { Env: string[]; HostConfig: { PortBindings: Record<string, unknown> } };
    expect(options.Env).toContain('API_KEY=k-123');
    expect(options.HostConfig.PortBindings).toEqual({ '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
    expect(JSON.stringify(plan)).not.toContain('k-123');
    expect(() => replicaCreateOptions(plan, 'r7-1', {})).toThrow(/API_KEY/);
  });

  it('runs one replica when the minimum is 0, and no dependencies when none are configured', () => {
    const small = planLocal(config('app: tiny\nservice:\n  port: 80\n  count: { min: 0, max: 2 }\n'), { release: 1, image: 'x' });
    expect(small.replicas.count).toBe(1);
    expect(small.dependencies).toEqual([]);
    expect(small.replicas.spec.env).toEqual({});
    expect(small.balancer.stickySeconds).toBe(false);
  });

  it('uses the localImage named in berth.yml', () => {
    const custom = planLocal(config('app: img\nservice: { port: 80 }\ndatabase: { engine: postgres, localImage: "my/pg:15" }\n'), { release: 1, image: 'x', databasePassword: 'p' });
    expect(custom.dependencies[0]!.image).toBe('my/pg:15');
  });
});
