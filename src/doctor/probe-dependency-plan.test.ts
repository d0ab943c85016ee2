import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/model.js';
import { dependencyCreateOptions, planLocal } from '../plan/local/local-plan.js';
import { describeDependencies, probeDependencyPlan } from './probe-dependency-plan.js';

function config(yaml: string, env = 'local'): ResolvedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'dr-probe-plan-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  return loadConfig({ config: join(dir, 'berth.yml'), env });
}

const NEWS = `
app: news-api
service:
  port: 8000
  env: { LOG_LEVEL: info }
  secrets: [API_KEY]
database: postgres
cache: redis
environments:
  staging: {}
`;

type Options = { name: string; Env: string[]; Labels: Record<string, string>; Healthcheck: { Test: string[] }; HostConfig: { NetworkMode: string; Mounts: unknown[]; RestartPolicy: { Name: string } }; NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] }> } };

describe('probeDependencyPlan', () => {
  const local = config(NEWS);
  const plan = probeDependencyPlan(local, 'news-api-doctor-abc', 'probe-pw', '4242:123');
  const [database, cache] = plan.dependencies.map((dependency) => dependency.createOptions as Options);

  it('gives the app the connection variables a deploy gives it, host names included, with the probe password', () => {
    expect(plan.services[0]!.connectionEnv).toEqual({
      DATABASE_URL: 'postgresql://berth:probe-pw@berth-news-api-local-database:5432/news_api',
      PGHOST: 'berth-news-api-local-database',
      PGPORT: '5432',
      PGDATABASE: 'news_api',
      PGUSER: 'berth',
      PGPASSWORD: 'probe-pw',
      REDIS_URL: 'redis://berth-news-api-local-cache:6379',
    });
    const deployed = planLocal(local, { release: 1, databasePassword: 'probe-pw' });
    expect(Object.entries(deployed.services[0]!.container.env)).toEqual(expect.arrayContaining(Object.entries(plan.services[0]!.connectionEnv)));
  });

  it('runs the deploy\'s images, credentials and health checks under the probe\'s own names, answering to the deploy\'s host names', () => {
    const deployed = planLocal(local, { release: 1, databasePassword: 'probe-pw' });
    const original = dependencyCreateOptions(deployed, deployed.dependencies[0]!) as Options;
    expect(plan.dependencies.map((d) => [d.role, d.image, d.name, d.alias])).toEqual([
      ['database', 'postgres:16', 'news-api-doctor-abc-database', 'berth-news-api-local-database'],
      ['cache', 'redis:7', 'news-api-doctor-abc-cache', 'berth-news-api-local-cache'],
    ]);
    expect(database!.name).toBe('news-api-doctor-abc-database');
    expect(database!.Env).toEqual(original.Env);
    expect(database!.Healthcheck).toEqual(original.Healthcheck);
    expect(database!.HostConfig.NetworkMode).toBe('news-api-doctor-abc-net');
    expect(database!.NetworkingConfig.EndpointsConfig).toEqual({ 'news-api-doctor-abc-net': { Aliases: ['berth-news-api-local-database', 'db', 'postgres', 'postgresql', 'database'] } });
    expect(plan.network).toEqual({ name: 'news-api-doctor-abc-net', labels: { 'org.berth.app': 'news-api', 'org.berth.env': 'local', 'org.berth.role': 'doctor', 'org.berth.doctor.run': '4242:123' } });
  });

  it('never mounts the environment\'s named volumes: data on tmpfs, no restart, doctor labels', () => {
    expect(database!.HostConfig.Mounts).toEqual([{ Type: 'tmpfs', Target: '/var/lib/postgresql/data' }]);
    expect(cache!.HostConfig.Mounts).toEqual([{ Type: 'tmpfs', Target: '/data' }]);
    expect(JSON.stringify(plan)).not.toContain('-data"');
    expect(database!.HostConfig.RestartPolicy).toEqual({ Name: 'no' });
    expect(database!.Labels).toEqual({ 'org.berth.app': 'news-api', 'org.berth.env': 'local', 'org.berth.role': 'doctor', 'org.berth.doctor.run': '4242:123', 'org.berth.doctor.dependency': 'database' });
  });

  it('plans the same stand-ins for an AWS environment, named after it', () => {
    const staging = probeDependencyPlan(config(NEWS, 'staging'), 'news-api-doctor-def', 'pw2', '4242:123');
    expect(staging.services[0]!.connectionEnv.PGHOST).toBe('berth-news-api-staging-database');
    expect(describeDependencies(staging.dependencies)).toBe('PostgreSQL (postgres:16) and Redis (redis:7)');
  });

  it('plans nothing for an app without database or cache', () => {
    const tiny = probeDependencyPlan(config('app: tiny\nservice: { port: 80 }\n'), 'tiny-doctor-1', 'pw', '4242:123');
    expect(tiny.dependencies).toEqual([]);
    expect(tiny.services).toEqual([{ name: 'web', aliases: ['web'], connectionEnv: {} }]);
    expect(tiny.network.name).toBe('tiny-doctor-1-net');
  });
});

describe('probeDependencyPlan for many services (examples/news-worker)', () => {
  const newsWorker = loadConfig({ config: join(import.meta.dirname, '../../examples/news-worker/berth.yml'), env: 'local' });
  const plan = probeDependencyPlan(newsWorker, 'news-worker-doctor-abc', 'probe-pw', '4242:123');

  it('plans every web and worker service (not the job), each with the host name a deploy gives it', () => {
    expect(plan.services.map((service) => [service.name, service.aliases])).toEqual([['web', ['web']], ['feeds', ['feeds']], ['worker', ['worker']]]);
  });

  it('gives each service the connection variables a deploy gives that service', () => {
    const deployed = planLocal(newsWorker, { release: 1, databasePassword: 'probe-pw' });
    for (const service of plan.services) {
      const env = deployed.services.find((candidate) => candidate.name === service.name)!.container.env;
      expect(service.connectionEnv.DATABASE_URL).toBe('postgresql://berth:probe-pw@berth-news-worker-local-database:5432/news_worker');
      expect(Object.entries(env)).toEqual(expect.arrayContaining(Object.entries(service.connectionEnv)));
      expect(service.connectionEnv).not.toHaveProperty('LOG_LEVEL');
    }
  });
});
