import { describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import type { Release } from '../operations.js';
import type { BalancerStatus } from './balancer-model.js';
import type { Docker } from './engine.js';
import { localStatusReport } from './status-report.js';

const config = configFromYaml('app: st\nservice: { port: 8000, image: "nginx:1" }\ndatabase: postgres\n', 'local');
const current: Release = { number: 3, image: 'berth-st:local-release-3', digest: 'sha256:x', createdAt: '2026-11-30T12:00:00Z', createdBy: 'me', status: 'deployed' };
const balancer: BalancerStatus = { pid: 42, port: 8080, startedAt: '2026-11-30T12:00:00Z', backends: [], events: [], restarts: 2, lastRestart: '2026-11-30T12:01:00Z killed by SIGKILL' };

function dependency(state: string, status: string): Docker.ContainerInfo {
  return { Id: 'db', Names: ['/berth-st-local-database'], State: state, Status: status, Labels: { 'org.berth.role': 'database' }, Created: 0 } as unknown as Docker.ContainerInfo;
}

describe('localStatusReport', () => {
  it('shows the balancer restarts and no problem while everything runs', () => {
    const report = localStatusReport({ config, current, containers: [dependency('running', 'Up 2 minutes (healthy)')], balancer, runs: () => [] });
    expect(report.notes).toContain('load balancer restarts: 2 (its supervisor started it again; the last one before: 2026-11-30T12:01:00Z killed by SIGKILL)');
    expect(report.problems).toEqual([]);
  });

  it('reports a stopped dependency and a missing load balancer as problems', () => {
    const report = localStatusReport({ config, current, containers: [dependency('exited', 'Exited (0) 3 seconds ago')], runs: () => [], balancerProblem: 'port 8080 is taken' });
    expect(report.problems).toEqual([
      'the load balancer is not running: port 8080 is taken',
      'the database berth-st-local-database is exited (Exited (0) 3 seconds ago)',
    ]);
  });

  it('says when the command started the load balancer again', () => {
    const report = localStatusReport({ config, current, containers: [], balancer: { ...balancer, restarts: 0 }, runs: () => [], repaired: 'berth started the load balancer again (it was not running); release 3 serves' });
    expect(report.notes[0]).toBe('berth started the load balancer again (it was not running); release 3 serves');
    expect(report.notes.some((note) => note.startsWith('load balancer restarts'))).toBe(false);
  });

  it('says when the load balancer runs another berth\'s code than the one asking, as a note (not a problem)', () => {
    const newer = '0.2.0';
    const older = localStatusReport({ config, current, containers: [], balancer: { ...balancer, code: '0.1.0' }, berthCode: newer, runs: () => [] });
    expect(older.notes).toContain('the load balancer runs berth 0.1.0, not this berth 0.2.0: the next deploy or rollback restarts it with this one');
    expect(older.problems).toEqual([]);
    const unreported = localStatusReport({ config, current, containers: [], balancer, berthCode: newer, runs: () => [] });
    expect(unreported.notes).toContain('the load balancer runs an earlier berth, not this berth 0.2.0: the next deploy or rollback restarts it with this one');
    const same = localStatusReport({ config, current, containers: [], balancer: { ...balancer, code: newer }, berthCode: newer, runs: () => [] });
    expect(same.notes.join('\n')).not.toContain('restarts it with this one');
  });
});

describe('localStatusReport: running but unhealthy replicas', () => {
  const two = configFromYaml('app: st\nservices:\n  web: { port: 8000, image: "nginx:1", count: 2 }\n  feeds: { kind: worker, image: "nginx:1", health: { command: [check] } }\n', 'local');

  function replica(id: string, service: string, status: string, state = 'running'): Docker.ContainerInfo {
    return { Id: `id-${id}`, Names: [`/${id}`], State: state, Status: status, Labels: { 'org.berth.role': 'app', 'org.berth.service': service, 'org.berth.release': '3' }, Created: 0 } as unknown as Docker.ContainerInfo;
  }
  function backend(id: string, service: string, kind: 'web' | 'worker', health: 'healthy' | 'unhealthy' | 'initial' | 'down', lastError?: string): BalancerStatus['backends'][number] {
    return { id, containerId: `id-${id}`, release: 3, service, kind, url: kind === 'web' ? 'http://127.0.0.1:32000' : '', role: 'active', health, inflight: 0, served: 0, consecutivePasses: 0, consecutiveFailures: health === 'unhealthy' ? 3 : 0, registeredAt: '2026-11-30T12:00:00Z', ...(lastError ? { lastError } : {}) };
  }

  it('reports a web replica the balancer took out of rotation, with since when and why', () => {
    const containers = [replica('st-web-1', 'web', 'Up 3 minutes (healthy)'), replica('st-web-2', 'web', 'Up 3 minutes (healthy)')];
    const status: BalancerStatus = {
      ...balancer,
      backends: [backend('st-web-1', 'web', 'web', 'healthy'), backend('st-web-2', 'web', 'web', 'unhealthy', 'HTTP 500 from /')],
      events: ['2026-11-30T12:05:00.000Z st-web-1: initial -> healthy', '2026-11-30T12:04:10.000Z st-web-2: healthy -> unhealthy (HTTP 500 from /)', '2026-11-30T12:01:00.000Z st-web-2: initial -> healthy'],
    };
    const report = localStatusReport({ config: two, current, containers, balancer: status, runs: () => [] });
    expect(report.problems).toEqual(['the web replica st-web-2 (release 3) runs but is unhealthy since 2026-11-30T12:04:10.000Z: the load balancer\'s checks fail (HTTP 500 from /), so it gets no traffic']);
    expect(report.services?.[0]?.tasks?.items.map((item) => item.health)).toEqual(['healthy', 'unhealthy']);
  });

  it('reports the engine\'s unhealthy verdict (container health check, a worker) per service in berth.yml\'s order', () => {
    const containers = [replica('st-feeds-1', 'feeds', 'Up 10 minutes (unhealthy)'), replica('st-web-1', 'web', 'Up 10 minutes (unhealthy)')];
    const status: BalancerStatus = { ...balancer, backends: [backend('st-web-1', 'web', 'web', 'healthy'), backend('st-feeds-1', 'feeds', 'worker', 'unhealthy', 'health.command failed')], events: [] };
    const report = localStatusReport({ config: two, current, containers, balancer: status, runs: () => [] });
    expect(report.problems).toEqual([
      'the web replica st-web-1 (release 3) runs but is unhealthy: its container health check fails (Up 10 minutes (unhealthy))',
      'the feeds replica st-feeds-1 (release 3) runs but is unhealthy: its container health check fails (Up 10 minutes (unhealthy))',
    ]);
  });

  it('says nothing of replicas still starting, healthy, or stopped (the balancer replaces a stopped one)', () => {
    const containers = [replica('st-web-1', 'web', 'Up 2 seconds (health: starting)'), replica('st-web-2', 'web', 'Exited (1) 1 second ago', 'exited'), replica('st-feeds-1', 'feeds', 'Up 1 minute (healthy)')];
    const status: BalancerStatus = { ...balancer, backends: [backend('st-web-1', 'web', 'web', 'initial', 'connection to / failed'), backend('st-web-2', 'web', 'web', 'down'), backend('st-feeds-1', 'feeds', 'worker', 'healthy')], events: [] };
    expect(localStatusReport({ config: two, current, containers, balancer: status, runs: () => [] }).problems).toEqual([]);
  });
});
