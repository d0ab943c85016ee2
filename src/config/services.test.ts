/** `services:` — many services in one berth.yml: resolution, inheritance, overrides and the problems a user gets. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionVariables, localConnectionEnv, primaryWebService, reservedEnvNames } from '../model/index.js';
import { loadConfig } from './load.js';
import type { JobServiceSpec, WebServiceSpec, WorkerServiceSpec } from './model.js';
import { ConfigError } from './problems.js';

function appDir(yaml: string, files: Record<string, string> = { Dockerfile: 'FROM scratch\n' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-services-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

function load(yaml: string, env?: string, files?: Record<string, string>) {
  const dir = appDir(yaml, files);
  return loadConfig({ config: join(dir, 'berth.yml'), cwd: dir, ...(env ? { env } : {}) });
}

function problemsOf(yaml: string, files?: Record<string, string>): string[] {
  try {
    load(yaml, undefined, files);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const NEWS = `
app: news
env: { LOG_LEVEL: info }
secrets: [NEWSAPI_KEY]
cpu: 512
memory: 1024
services:
  web:
    port: 8000
    health: { path: /health }
    count: { min: 2, max: 6, cpu: 70 }
  api:
    kind: web
    port: 9000
    path: /api/*
    env: { LOG_LEVEL: debug }
  worker:
    kind: worker
    command: [celery, -A, app, worker]
    secrets: [QUEUE_TOKEN]
    memory: 2048
  fetch:
    kind: job
    command: [python, fetch.py]
    schedule: "*/15 * * * *"
    timeout: 10m
release:
  before: [python, manage.py, migrate]
database: postgres
cache: redis
environments:
  prod:
    services:
      worker: { count: 3 }
`;

describe('services:', () => {
  it('resolves every kind in berth.yml order, inheriting the shared top-level keys', () => {
    const config = load(NEWS);
    expect(config.services.map((service) => `${service.name}:${service.kind}`)).toEqual(['web:web', 'api:web', 'worker:worker', 'fetch:job']);
    const [web, api, worker, fetch] = config.services as [WebServiceSpec, WebServiceSpec, WorkerServiceSpec, JobServiceSpec];
    expect(web).toMatchObject({ port: 8000, cpu: 512, memory: 1024, env: { LOG_LEVEL: 'info' }, secrets: ['NEWSAPI_KEY'], route: {}, ownImage: false });
    expect(api).toMatchObject({ port: 9000, route: { path: '/api/*' }, env: { LOG_LEVEL: 'debug' }, health: { path: '/' } });
    expect(worker).toMatchObject({ count: { min: 1, max: 1 }, memory: 2048, cpu: 512, secrets: ['NEWSAPI_KEY', 'QUEUE_TOKEN'], command: ['celery', '-A', 'app', 'worker'] });
    expect(worker.health).toBeUndefined();
    expect(fetch).toMatchObject({ schedule: { kind: 'cron', cron: '*/15 * * * *' }, timeout: 600 });
    expect(config.release.before).toEqual({ command: ['python', 'manage.py', 'migrate'], service: 'web' });
    expect(primaryWebService(config)?.name).toBe('web');
  });

  it('builds one image for every service without its own build', () => {
    const config = load(NEWS);
    expect(config.image.build?.dockerfile).toBe(join(config.dir, 'Dockerfile'));
    for (const service of config.services) expect(service.build).toEqual(config.image.build);
    const own = load(`app: shop\nservices:\n  web: { port: 8000 }\n  admin: { port: 8001, path: /admin/*, build: { context: admin } }\n`, undefined, { Dockerfile: 'FROM scratch\n', 'admin/Dockerfile': 'FROM scratch\n' });
    const admin = own.services[1]!;
    expect(admin.ownImage).toBe(true);
    expect(admin.build?.dockerfile).toBe(join(own.dir, 'admin', 'Dockerfile'));
  });

  it('overrides one service per environment', () => {
    const prod = load(NEWS, 'prod');
    expect((prod.services[2] as WorkerServiceSpec).count).toMatchObject({ min: 3, max: 3 });
    expect((prod.services[0] as WebServiceSpec).count).toMatchObject({ min: 2, max: 6 });
  });

  it('keeps service: as the shorthand for one web service named web', () => {
    const config = load('app: shop\nservice: { port: 8000 }\n');
    expect(config.services).toHaveLength(1);
    expect(config.services[0]).toMatchObject({ name: 'web', kind: 'web', port: 8000 });
  });

  it('accepts rate schedules as AWS writes them, and a worker health command', () => {
    const config = load('app: shop\nservices:\n  web: { port: 80 }\n  tick: { kind: job, schedule: rate(1 hour) }\n  q: { kind: worker, health: { command: [check] } }\n');
    expect((config.services[1] as JobServiceSpec).schedule).toEqual({ kind: 'rate', value: 1, unit: 'hour' });
    expect((config.services[2] as WorkerServiceSpec).health).toMatchObject({ command: ['check'], interval: 30, unhealthyThreshold: 3 });
  });

  it('injects <NAME>_URL of each web service into the others, with the same names on both targets', () => {
    const config = load(NEWS);
    const forWorker = connectionVariables(config, 'worker').map((variable) => variable.name);
    expect(forWorker).toEqual(expect.arrayContaining(['DATABASE_URL', 'PGHOST', 'REDIS_URL', 'WEB_URL', 'API_URL']));
    expect(connectionVariables(config, 'api').map((variable) => variable.name)).not.toContain('API_URL');
    const redis = connectionVariables(config).find((variable) => variable.name === 'REDIS_URL')!;
    expect(redis.shape.aws.startsWith('rediss://')).toBe(true);
    expect(redis.shape.local.startsWith('redis://')).toBe(true);
    const env = localConnectionEnv(config, { name: 'worker' }, { database: { host: 'db', port: 5432, password: 'p w' }, cache: { host: 'c', port: 6379 } });
    expect(env).toMatchObject({ DATABASE_URL: 'postgresql://berth:p%20w@db:5432/news', REDIS_URL: 'redis://c:6379', API_URL: 'http://api:9000', WEB_URL: 'http://web:8000' });
    expect(reservedEnvNames(config)).toEqual(expect.arrayContaining(['DATABASE_URL', 'PGPASSWORD', 'REDIS_URL', 'API_URL']));
  });
});

describe('services: problems name the service', () => {
  it('refuses both service: and services:', () => {
    expect(problemsOf('app: shop\nservice: { port: 80 }\nservices: { web: { port: 80 } }\n')).toEqual([expect.stringMatching(/^services: berth.yml has both `service:` and `services:`/)]);
  });

  it('names keys that do not fit the kind, and what to do', () => {
    const problems = problemsOf('app: shop\nservices:\n  web: { port: 80 }\n  worker: { kind: worker, port: 9000, path: /x }\n  tick: { kind: job, schedule: "* * * * *", count: 2 }\n');
    expect(problems).toContain('services.worker.port: a worker has no port (remove it, or make it kind web)');
    expect(problems).toContain('services.worker.path: a worker has no path (remove it, or make it kind web)');
    expect(problems).toContain('services.tick.count: a job has no count (remove it: a job runs one task per scheduled run)');
  });

  it('asks a web service for its port and a job for its schedule', () => {
    const problems = problemsOf('app: shop\nservices:\n  web: {}\n  tick: { kind: job }\n  bad: { kind: job, schedule: "every day" }\n');
    expect(problems).toContainEqual(expect.stringMatching(/^services\.web\.port: is missing: a web service needs the port/));
    expect(problems).toContainEqual(expect.stringMatching(/^services\.tick\.schedule: is missing/));
    expect(problems).toContainEqual(expect.stringMatching(/^services\.bad\.schedule: "every day" is not a schedule/));
  });

  it('refuses two web services that both take every request, and duplicate routes', () => {
    expect(problemsOf('app: shop\nservices:\n  a: { port: 80 }\n  b: { port: 81 }\n')).toContainEqual(expect.stringMatching(/^services\.b: web services a and b both take every request/));
    expect(problemsOf('app: shop\nservices:\n  a: { port: 80 }\n  b: { port: 81, path: /x/* }\n  c: { port: 82, path: /x/* }\n')).toContainEqual('services.c.path: is the same route as service b; each route goes to one service');
  });

  it('refuses invalid service names and variables berth sets', () => {
    expect(problemsOf('app: shop\nservices:\n  Web_1: { port: 80 }\n')).toContainEqual(expect.stringMatching(/^services\.Web_1: "Web_1" is not a valid service name/));
    expect(problemsOf('app: shop\nservices:\n  web: { port: 80, env: { API_URL: x } }\n  api: { port: 81, path: /api/* }\n')).toContain('services.web.env.API_URL: is set by berth (the address of another service); remove it from services.web.env');
    expect(problemsOf('app: shop\nenv: { DATABASE_URL: x }\ndatabase: postgres\nservices:\n  web: { port: 80 }\n')).toContain('env.DATABASE_URL: is set by berth (from the database); remove it from env');
  });

  it('refuses loadBalancer: false with several web services, and a release task for an unknown service', () => {
    expect(problemsOf('app: shop\nservices:\n  a: { port: 80, loadBalancer: false }\n  b: { port: 81, path: /b/* }\n')).toContainEqual(expect.stringMatching(/^services\.a\.loadBalancer: false is only possible for an app's single web service/));
    expect(problemsOf('app: shop\nservices:\n  web: { port: 80 }\nrelease: { before: { command: [m], service: wbe } }\n')).toContain('release.before.service: "wbe" is not a service of this app (services: web)');
  });

  it('keeps services that share the app image on one architecture', () => {
    expect(problemsOf('app: shop\nservices:\n  web: { port: 80 }\n  w: { kind: worker, arch: arm64 }\n')).toContainEqual(expect.stringMatching(/^services\.w\.arch: differs from the other services that share the app image/));
  });

  it('blames a services override at environments.<env>', () => {
    expect(problemsOf('app: shop\nservices:\n  web: { port: 80 }\nenvironments:\n  prod:\n    services: { web: { memory: 4096 } }\n')).toEqual([expect.stringMatching(/^environments\.prod\.services\.web\.memory: 4096 MiB is not valid with cpu 256/)]);
  });
});
