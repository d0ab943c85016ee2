import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { loadConfig } from './load.js';
import { ConfigError } from './problems.js';
import { primaryWebService } from '../model/index.js';

const web = (config: Parameters<typeof primaryWebService>[0]) => primaryWebService(config)!;

function appDir(yaml: string, files: Record<string, string> = { Dockerfile: 'FROM scratch\n' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const NEWS_API = `
app: news-api
region: us-east-1
service:
  port: 8000
  health: { path: /health }
  count: 2
  env: { LOG_LEVEL: info, WORKERS: 2, DEBUG: false }
  secrets: [NEWSAPI_KEY]
database: postgres
cache: redis
environments:
  prod:
    service: { count: { min: 2, max: 10, cpu: 70 }, cpu: 512, memory: 1024 }
    database: { multiAz: true }
  dev:
    service: { spot: true }
    database: false
`;

describe('loadConfig', () => {
  it('fills every default for the local environment', () => {
    const config = loadConfig({ cwd: appDir('app: hello\nservice:\n  port: 8080\n') });
    expect(config.env).toBe('local');
    expect(config.target).toBe('local');
    expect(config.production).toBe(false);
    expect(web(config)).toMatchObject({
      port: 8080,
      cpu: 256,
      memory: 512,
      arch: 'x86_64',
      count: { min: 1, max: 1, schedule: [] },
      loadBalancer: true,
      public: true,
      stickySessions: false,
      spot: false,
      health: { path: '/', interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 60 },
    });
    expect(web(config).build?.dockerfile).toBe(join(config.dir, 'Dockerfile'));
    expect(config.network).toEqual({ tasks: 'public', egress: 'none', cidr: '10.0.0.0/16' });
    expect(config.database).toBeNull();
    expect(config.cache).toBeNull();
    expect(config.local.port).toBe(8080);
    expect(config.environments).toEqual(['local']);
  });

  it('expands shorthands and deep-merges environment overrides', () => {
    const dir = appDir(NEWS_API);
    const prod = loadConfig({ cwd: dir, env: 'prod' });
    expect(prod.target).toBe('aws');
    expect(prod.production).toBe(true);
    expect(web(prod).count).toEqual({ min: 2, max: 10, cpu: 70, schedule: [] });
    expect(web(prod).cpu).toBe(512);
    expect(web(prod).health.path).toBe('/health');
    expect(web(prod).env).toEqual({ LOG_LEVEL: 'info', WORKERS: '2', DEBUG: 'false' });
    expect(prod.database).toMatchObject({ engine: 'postgres', version: '16', instance: 'db.t4g.micro', multiAz: true, storage: 20, backupDays: 7, name: 'news_api', localImage: 'postgres:16' });
    expect(prod.cache).toMatchObject({ engine: 'redis', version: '7.1', node: 'cache.t4g.micro', localImage: 'redis:7' });

    const local = loadConfig({ cwd: dir });
    expect(web(local).count).toEqual({ min: 2, max: 2, schedule: [] });
    expect(local.database?.multiAz).toBe(false);

    const dev = loadConfig({ cwd: dir, env: 'dev' });
    expect(dev.production).toBe(false);
    expect(web(dev).spot).toBe(true);
    expect(dev.database).toBeNull();
    expect(dev.environments).toEqual(['local', 'prod', 'dev']);
  });

  it('treats prod and production as production unless told otherwise', () => {
    const dir = appDir('app: a1\nservice: { port: 80 }\nenvironments:\n  production: {}\n  staging: { production: true }\n  prod: { production: false }\n');
    expect(loadConfig({ cwd: dir, env: 'production' }).production).toBe(true);
    expect(loadConfig({ cwd: dir, env: 'staging' }).production).toBe(true);
    expect(loadConfig({ cwd: dir, env: 'prod' }).production).toBe(false);
  });

  it('resolves private networking, sticky sessions and schedules', () => {
    const dir = appDir(`
app: board
service:
  port: 8501
  stickySessions: 1h
  count: { min: 1, max: 4, schedule: [{ cron: "0  20 * * 1-5", min: 0, max: 0 }] }
network: private
`);
    const config = loadConfig({ cwd: dir });
    expect(web(config).stickySessions).toBe(3600);
    expect(config.network).toMatchObject({ tasks: 'private', egress: 'endpoints' });
    expect(web(config).count.schedule).toEqual([{ name: 'schedule-1', cron: '0 20 * * 1-5', min: 0, max: 0 }]);
  });

  it('needs no Dockerfile when service.image names a pushed image', () => {
    const config = loadConfig({ cwd: appDir('app: web\nservice: { port: 80, image: nginx:1.27 }\n', {}) });
    expect(web(config).build).toBeUndefined();
    expect(web(config).image).toBe('nginx:1.27');
  });

  it('reports every problem at once, in the base and in overrides', () => {
    const problems = problemsOf(() => loadConfig({ cwd: appDir(`
app: news-api
service: { port: 8000, cpu: 256, memory: 4096, health: { timeout: 40 } }
database: postgres
environments:
  prod: { service: { cpu: 1024, memory: 1024 }, database: { storage: 10 } }
`) }));
    expect(problems).toEqual([
      'service.memory: 4096 MiB is not valid with cpu 256 (allowed: 512, 1024, 2048)',
      'service.health.timeout: 40s must be less than the interval (30s)',
      'environments.prod.service.memory: 1024 MiB is not valid with cpu 1024 (allowed: 2048-8192 in steps of 1024)',
      'environments.prod.database.storage: 10 GiB is out of range (RDS gp3 storage: 20-65536 GiB)',
    ]);
  });

  it('blames the override when an environment changes one half of a pair', () => {
    const problems = problemsOf(() => loadConfig({ cwd: appDir('app: a1\nservice: { port: 80, cpu: 1024, memory: 8192 }\nenvironments:\n  dev: { service: { cpu: 512 } }\n') }));
    expect(problems).toEqual(['environments.dev.service.memory: 8192 MiB is not valid with cpu 512 (allowed: 1024, 2048, 3072, 4096)']);
  });

  it('names an undeclared environment and suggests the closest', () => {
    const dir = appDir(NEWS_API);
    expect(() => loadConfig({ cwd: dir, env: 'prd' })).toThrow(UsageError);
    try {
      loadConfig({ cwd: dir, env: 'prd' });
    } catch (error) {
      expect((error as UsageError).message).toContain('environment "prd" is not declared (declared: local, prod, dev)');
      expect((error as UsageError).hint).toBe('did you mean "prod"?');
    }
  });

  it('says how to start when there is no berth.yml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-empty-'));
    expect(() => loadConfig({ cwd: dir })).toThrow(/no berth.yml in/);
  });
});
