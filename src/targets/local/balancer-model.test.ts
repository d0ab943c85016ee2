import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../config/model.js';
import { applyCheck, chooseBackend, cookieValue, restoreHealth, savedHealth, stoppedDependencies, type BackendStatus } from './balancer-model.js';

const health: HealthCheck = { path: '/health', interval: 5, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 10 };

function backend(id: string, extra: Partial<BackendStatus> = {}): BackendStatus {
  return { id, containerId: id, release: 1, service: 'web', kind: 'web', url: `http://127.0.0.1:1${id}`, role: 'active', health: 'healthy', inflight: 0, served: 0, consecutivePasses: 0, consecutiveFailures: 0, registeredAt: new Date(0).toISOString(), ...extra };
}

describe('chooseBackend', () => {
  it('goes round-robin over active, healthy backends only', () => {
    const backends = [backend('a'), backend('b', { health: 'unhealthy' }), backend('c'), backend('d', { role: 'draining' }), backend('e', { role: 'candidate' })];
    const picks: string[] = [];
    let cursor = 0;
    for (let i = 0; i < 4; i += 1) {
      const choice = chooseBackend(backends, cursor);
      cursor = choice.cursor;
      picks.push(choice.backend!.id);
    }
    expect(picks).toEqual(['a', 'c', 'a', 'c']);
  });

  it('keeps a sticky client on its backend while it is in rotation', () => {
    const backends = [backend('a'), backend('b')];
    expect(chooseBackend(backends, 0, 'b').backend?.id).toBe('b');
    expect(chooseBackend([backend('a'), backend('b', { health: 'unhealthy' })], 1, 'b').backend?.id).toBe('a');
  });

  it('has no backend when nothing is healthy', () => {
    expect(chooseBackend([backend('a', { health: 'initial' })], 0).backend).toBeUndefined();
  });
});

describe('applyCheck', () => {
  const now = 100_000;
  it('needs healthyThreshold passes before a new backend is healthy', () => {
    const first = applyCheck(backend('a', { health: 'initial' }), true, health, now);
    expect(first.health).toBe('initial');
    expect(applyCheck(first, true, health, now).health).toBe('healthy');
  });

  it('marks a backend unhealthy after unhealthyThreshold failures, and it recovers after healthyThreshold passes', () => {
    let state = backend('a');
    for (let i = 0; i < 2; i += 1) state = applyCheck(state, false, health, now, 'HTTP 500');
    expect(state.health).toBe('healthy');
    state = applyCheck(state, false, health, now, 'HTTP 500');
    expect(state).toMatchObject({ health: 'unhealthy', lastError: 'HTTP 500' });
    state = applyCheck(state, true, health, now);
    expect(state.health).toBe('unhealthy');
    expect(applyCheck(state, true, health, now).health).toBe('healthy');
  });

  it('does not count failures of a new backend inside the grace period', () => {
    let state = backend('a', { health: 'initial', registeredAt: new Date(now - 5_000).toISOString() });
    for (let i = 0; i < 5; i += 1) state = applyCheck(state, false, health, now, 'connection failed');
    expect(state.health).toBe('initial');
    expect(applyCheck(state, false, health, now + 6_000).consecutiveFailures).toBe(1);
  });

  it('probed every second after the grace period, a new backend\'s failures count one interval apart, as an ALB would see them', () => {
    let state = backend('a', { health: 'initial', registeredAt: new Date(now - 20_000).toISOString() });
    const counted: number[] = [];
    for (let second = 0; second <= 10; second += 1) {
      state = applyCheck(state, false, health, now + second * 1000, 'connection failed');
      counted.push(state.consecutiveFailures);
    }
    // interval 5 s: failures count at 0 s, 5 s and 10 s; the third makes it unhealthy (unhealthyThreshold 3).
    expect(counted).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3]);
    expect(state.health).toBe('unhealthy');
  });
});

describe('cookieValue', () => {
  it('reads one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; berth-x-replica=r1-2; b=3', 'berth-x-replica')).toBe('r1-2');
    expect(cookieValue(undefined, 'x')).toBeUndefined();
  });
});

describe('restoreHealth', () => {
  it('gives a restarted balancer the saved health of the same containers, and leaves new ones initial', () => {
    const saved = savedHealth([backend('a', { health: 'healthy', consecutivePasses: 7 }), backend('b', { health: 'unhealthy', lastError: 'HTTP 500 from /health' })], ['e1'], 0);
    expect(restoreHealth(backend('a', { health: 'initial' }), saved)).toMatchObject({ health: 'healthy', consecutivePasses: 7 });
    expect(restoreHealth(backend('b', { health: 'initial' }), saved)).toMatchObject({ health: 'unhealthy', lastError: 'HTTP 500 from /health' });
    // The same replica name on another container (replaced meanwhile) is a new target.
    expect(restoreHealth(backend('a', { health: 'initial', containerId: 'other' }), saved).health).toBe('initial');
    expect(restoreHealth(backend('c', { health: 'initial' }), saved).health).toBe('initial');
    expect(restoreHealth(backend('a', { health: 'initial' }), undefined).health).toBe('initial');
  });
});

describe('stoppedDependencies', () => {
  const entry = (role: string, state: string) => ({ Id: `${role}-${state}`, Names: [`/x-${role}`], State: state, Status: state, Labels: { 'org.berth.role': role } });
  it('picks stopped databases and caches only', () => {
    const picked = stoppedDependencies([entry('database', 'exited'), entry('cache', 'created'), entry('database', 'running'), entry('cache', 'restarting'), entry('cache', 'paused'), entry('app', 'exited'), entry('job', 'exited')], 'org.berth.role');
    expect(picked.map((candidate) => candidate.Id)).toEqual(['database-exited', 'cache-created']);
  });
});
