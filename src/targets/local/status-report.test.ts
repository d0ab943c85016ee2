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
});
