import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import type { ResolvedConfig } from '../../config/model.js';
import { containerOf, dependencyCreateOptions, planLocal, replicaCreateOptions, servicePlan, taskCreateOptions, type WebServicePlan, type WorkerServicePlan } from './local-plan.js';

function config(yaml: string, env = 'local', files: Record<string, string> = {}): ResolvedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'lt-plan-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  // An image with a shell: FROM scratch would turn the container health check off (health.container).
  writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12-slim\n');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
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

type CreateOptions = {
  Env: string[];
  Cmd?: string[];
  Labels: Record<string, string>;
  Healthcheck?: { Test: string[] };
  ExposedPorts?: Record<string, unknown>;
  Tty: boolean;
  HostConfig: { NetworkMode: string; PortBindings?: Record<string, unknown>; RestartPolicy: { Name: string }; Mounts?: unknown[] };
  NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] }> };
};

describe('planLocal with the service: shorthand', () => {
  const news = config(NEWS);
  const plan = planLocal(news, { release: 7, databasePassword: 'pw' });
  const web = plan.services[0] as WebServicePlan;

  it('runs the configured minimum of replicas of the one web service with the health check of service.health', () => {
    expect(plan.services.map((service) => [service.name, service.kind, service.count])).toEqual([['web', 'web', 3]]);
    expect(web.healthcheck).toMatchObject({ Interval: 10e9, Timeout: 3e9, Retries: 4, StartPeriod: 20e9 });
    expect(web.healthcheck.Test).toContain('http://127.0.0.1:8000/health');
    expect(web.namePrefix).toBe('berth-news-api-local-web-r7');
  });

  it('gives the app DATABASE_URL, PG* and REDIS_URL pointing at the dependency containers', () => {
    expect(web.container.env).toEqual({
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

  it('runs the release image berth tags: berth-<app>:<env>-release-<n>', () => {
    expect(web.container.image).toBe('berth-news-api:local-release-7');
    expect(plan.images).toEqual([{ image: 'berth-news-api:local-release-7' }]);
    expect(planLocal(config(NEWS), { release: 7, databasePassword: 'pw', images: { app: 'mine:dev' } }).services[0]!.container.image).toBe('mine:dev');
  });

  it('runs PostgreSQL and Redis from their local images with named volumes and health checks', () => {
    expect(plan.dependencies.map((dependency) => [dependency.role, dependency.image, dependency.volume.name])).toEqual([
      ['database', 'postgres:16', 'berth-news-api-local-database-data'],
      ['cache', 'redis:7', 'berth-news-api-local-cache-data'],
    ]);
    const database = dependencyCreateOptions(plan, plan.dependencies[0]!) as CreateOptions;
    expect(database.HostConfig.Mounts).toEqual([{ Type: 'volume', Source: 'berth-news-api-local-database-data', Target: '/var/lib/postgresql/data' }]);
    expect(database.Healthcheck!.Test.join(' ')).toContain('pg_isready');
  });

  it('lets the dependencies answer the host names compose files use (db, postgres, redis, ...) besides their own', () => {
    const [database, cache] = plan.dependencies.map((dependency) => dependencyCreateOptions(plan, dependency) as CreateOptions);
    expect(database!.NetworkingConfig.EndpointsConfig['berth-news-api-local-net']!.Aliases).toEqual(['berth-news-api-local-database', 'db', 'postgres', 'postgresql', 'database']);
    expect(cache!.NetworkingConfig.EndpointsConfig['berth-news-api-local-net']!.Aliases).toEqual(['berth-news-api-local-cache', 'redis', 'cache']);
  });

  it('labels every container with app, env, role, release, service and the berth.yml that owns it', () => {
    expect(web.container.labels).toEqual({ 'org.berth.app': 'news-api', 'org.berth.env': 'local', 'org.berth.role': 'app', 'org.berth.release': '7', 'org.berth.service': 'web', 'org.berth.project': news.file });
    expect(plan.dependencies[0]!.labels['org.berth.role']).toBe('database');
    expect(plan.dependencies.map((dependency) => dependency.labels['org.berth.project'])).toEqual([news.file, news.file]);
    expect(plan.network.labels['org.berth.project']).toBe(news.file);
  });

  it('puts the balancer on 127.0.0.1:<local.port>, every request to the web service, sticky cookies when configured', () => {
    expect(plan.url).toBe('http://127.0.0.1:9000');
    expect(plan.balancer).toEqual({ port: 9000, routing: { rules: [], defaultService: 'web' } });
    expect(web).toMatchObject({ stickySeconds: 3600, cookieName: 'berth-news-api-replica' });
  });

  it('adds secret values only when a container is created, and refuses a missing one', () => {
    const options = replicaCreateOptions(plan, web, 'r7-1', { API_KEY: 'k-123' }) as CreateOptions;
    expect(options.Env).toContain('API_KEY=k-123');
    expect(options.HostConfig.PortBindings).toEqual({ '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
    expect(options.NetworkingConfig.EndpointsConfig['berth-news-api-local-net']!.Aliases).toEqual(['web']);
    expect(JSON.stringify(plan)).not.toContain('k-123');
    expect(() => replicaCreateOptions(plan, web, 'r7-1', {})).toThrow(/API_KEY/);
  });

  it('runs one replica when the minimum is 0, and no dependencies when none are configured', () => {
    const small = planLocal(config('app: tiny\nservice:\n  port: 80\n  count: { min: 0, max: 2 }\n'), { release: 1 });
    expect(small.services[0]!.count).toBe(1);
    expect(small.dependencies).toEqual([]);
    expect(small.services[0]!.container.env).toEqual({});
    expect((small.services[0] as WebServicePlan).stickySeconds).toBe(false);
    expect(small.jobs).toEqual([]);
    expect(small.before).toBeUndefined();
  });

  it('uses the localImage named in berth.yml', () => {
    const custom = planLocal(config('app: img\nservice: { port: 80 }\ndatabase: { engine: postgres, localImage: "my/pg:15" }\n'), { release: 1, databasePassword: 'p' });
    expect(custom.dependencies[0]!.image).toBe('my/pg:15');
  });
});

const SERVICES = `
app: news
env: { LOG_LEVEL: info }
secrets: [NEWS_TOKEN]
services:
  web:
    port: 8000
    health: { path: /health }
    count: 2
  api:
    port: 9000
    path: /api/*
    stickySessions: 10m
  admin:
    port: 7000
    host: admin.example.com
  worker:
    kind: worker
    command: [python, worker.py]
    health: { command: [python, check.py], interval: 15 }
    env: { QUEUE: articles }
  mailer:
    kind: worker
    build: { dockerfile: Dockerfile.mailer }
    secrets: [SMTP_PASSWORD]
  fetch:
    kind: job
    command: [python, fetch.py]
    schedule: "*/15 * * * *"
    timeout: 10m
release:
  before: [python, migrate.py]
database: postgres
cache: redis
`;

describe('planLocal with many services', () => {
  const resolved = config(SERVICES, 'local', { 'Dockerfile.mailer': 'FROM scratch\n' });
  const plan = planLocal(resolved, { release: 4, databasePassword: 'pw' });

  it('plans replicas of every web and worker service in berth.yml order, named and labelled per service', () => {
    expect(plan.services.map((service) => [service.name, service.kind, service.count, service.namePrefix])).toEqual([
      ['web', 'web', 2, 'berth-news-local-web-r4'],
      ['api', 'web', 1, 'berth-news-local-api-r4'],
      ['admin', 'web', 1, 'berth-news-local-admin-r4'],
      ['worker', 'worker', 1, 'berth-news-local-worker-r4'],
      ['mailer', 'worker', 1, 'berth-news-local-mailer-r4'],
    ]);
    expect(servicePlan(plan, 'worker')!.container.labels).toMatchObject({ 'org.berth.role': 'app', 'org.berth.service': 'worker', 'org.berth.release': '4' });
  });

  it('gives each service its own env and secrets plus the connection variables of the model, <NAME>_URL of the other web services included', () => {
    const api = servicePlan(plan, 'api')!.container;
    expect(api.env).toMatchObject({ LOG_LEVEL: 'info', WEB_URL: 'http://web:8000', ADMIN_URL: 'http://admin:7000', REDIS_URL: 'redis://berth-news-local-cache:6379' });
    expect(api.env).not.toHaveProperty('API_URL');
    const worker = servicePlan(plan, 'worker')!.container;
    expect(worker.env).toMatchObject({ QUEUE: 'articles', WEB_URL: 'http://web:8000', API_URL: 'http://api:9000', DATABASE_URL: 'postgresql://berth:pw@berth-news-local-database:5432/news' });
    expect(worker.command).toEqual(['python', 'worker.py']);
    expect(servicePlan(plan, 'mailer')!.container.secretNames).toEqual(['NEWS_TOKEN', 'SMTP_PASSWORD']);
    expect(worker.secretNames).toEqual(['NEWS_TOKEN']);
  });

  it('lets services reach each other by name: each replica answers its service name on the network', () => {
    const api = servicePlan(plan, 'api')!;
    const options = replicaCreateOptions(plan, api, 'x', { NEWS_TOKEN: 't' }) as CreateOptions;
    expect(options.NetworkingConfig.EndpointsConfig['berth-news-local-net']!.Aliases).toEqual(['api']);
  });

  it('runs workers without a published port, with health.command as the engine health check', () => {
    const worker = servicePlan(plan, 'worker') as WorkerServicePlan;
    const options = replicaCreateOptions(plan, worker, 'x', { NEWS_TOKEN: 't' }) as CreateOptions;
    expect(options.ExposedPorts).toBeUndefined();
    expect(options.HostConfig.PortBindings).toBeUndefined();
    expect(options.HostConfig.RestartPolicy).toEqual({ Name: 'unless-stopped' });
    expect(options.Healthcheck).toEqual({ Test: ['CMD', 'python', 'check.py'], Interval: 15e9, Timeout: 5e9, Retries: 3, StartPeriod: 60e9 });
    const mailer = replicaCreateOptions(plan, servicePlan(plan, 'mailer')!, 'x', { NEWS_TOKEN: 't', SMTP_PASSWORD: 's' }) as CreateOptions;
    // The image's HEALTHCHECK (written for the web service) must not judge a worker.
    expect(mailer.Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('builds one image per release for the services sharing it, and one per service with its own build', () => {
    expect(plan.images).toEqual([{ image: 'berth-news:local-release-4' }, { service: 'mailer', image: 'berth-news:local-release-4-mailer' }]);
    expect(servicePlan(plan, 'web')!.container.image).toBe('berth-news:local-release-4');
    expect(servicePlan(plan, 'mailer')!.container.image).toBe('berth-news:local-release-4-mailer');
    expect(plan.jobs[0]!.container.image).toBe('berth-news:local-release-4');
  });

  it('routes by path and host in berth.yml order, every other request to the web service without a route', () => {
    expect(plan.balancer!.routing).toEqual({
      rules: [{ service: 'api', priority: 1, path: '/api/*' }, { service: 'admin', priority: 2, host: 'admin.example.com' }],
      defaultService: 'web',
    });
    expect(servicePlan(plan, 'api')).toMatchObject({ stickySeconds: 600, cookieName: 'berth-news-api-replica' });
    expect(servicePlan(plan, 'web')).toMatchObject({ cookieName: 'berth-news-replica' });
  });

  it('plans the job with its schedule, timeout and the job role, and no replica of it', () => {
    expect(plan.jobs.map((job) => [job.name, job.schedule, job.timeout])).toEqual([['fetch', { kind: 'cron', cron: '*/15 * * * *' }, 600]]);
    expect(plan.jobs[0]!.container.labels).toMatchObject({ 'org.berth.role': 'job', 'org.berth.service': 'fetch' });
    expect(plan.services.some((service) => service.name === 'fetch')).toBe(false);
    expect(containerOf(plan, 'fetch')!.command).toEqual(['python', 'fetch.py']);
  });

  it('plans release.before with the image and environment of the first web service and the job role', () => {
    expect(plan.before).toMatchObject({ service: 'web', command: ['python', 'migrate.py'] });
    expect(plan.before!.container).toMatchObject({ image: 'berth-news:local-release-4', command: ['python', 'migrate.py'] });
    expect(plan.before!.container.env.DATABASE_URL).toBe('postgresql://berth:pw@berth-news-local-database:5432/news');
    expect(plan.before!.container.labels['org.berth.role']).toBe('job');
  });

  it('creates throw-away containers on the network, never restarted, with secrets added at creation only', () => {
    const options = taskCreateOptions(plan, plan.before!.container, { name: 'b' }, { NEWS_TOKEN: 'tok-1' }) as CreateOptions;
    expect(options.Cmd).toEqual(['python', 'migrate.py']);
    expect(options.Env).toContain('NEWS_TOKEN=tok-1');
    expect(options.HostConfig).toMatchObject({ NetworkMode: 'berth-news-local-net', RestartPolicy: { Name: 'no' } });
    expect(options.HostConfig.PortBindings).toBeUndefined();
    expect(options.Tty).toBe(false);
    expect(options.Healthcheck).toEqual({ Test: ['NONE'] });
    const tty = taskCreateOptions(plan, containerOf(plan, 'web')!, { name: 't', command: ['sh'], tty: true, stdin: true, labels: { a: 'b' } }, { NEWS_TOKEN: 'x' }) as CreateOptions;
    expect(tty).toMatchObject({ Cmd: ['sh'], Tty: true, OpenStdin: true, Labels: { a: 'b' } });
  });

  it('keeps the compose host names of dependencies that a service is not already called', () => {
    const named = planLocal(config('app: cc\nservices:\n  web: { port: 80 }\n  redis: { kind: worker }\n  db: { kind: worker }\ncache: redis\ndatabase: postgres\n'), { release: 1, databasePassword: 'p' });
    expect(named.dependencies.map((dependency) => dependency.aliases)).toEqual([
      ['berth-cc-local-database', 'postgres', 'postgresql', 'database'],
      ['berth-cc-local-cache', 'cache'],
    ]);
  });

  it('has no balancer and no URL for an app of workers and jobs only', () => {
    const quiet = planLocal(config('app: qq\nservices:\n  worker: { kind: worker, command: [run] }\n  tick: { kind: job, schedule: "rate(5 minutes)" }\n'), { release: 2 });
    expect(quiet.balancer).toBeUndefined();
    expect(quiet.url).toBeUndefined();
    expect(quiet.services.map((service) => service.kind)).toEqual(['worker']);
    expect(quiet.jobs[0]!.schedule).toEqual({ kind: 'rate', value: 5, unit: 'minute' });
  });
});
