import { describe, expect, it } from 'vitest';
import { evaluateRollout, timeoutReasons, type DeploymentSnapshot, type RolloutSnapshot } from './rollout.js';

const NEW = `sha256:${'a'.repeat(64)}`;
const OLD = `sha256:${'b'.repeat(64)}`;
const repo = '1.dkr.ecr.eu-west-1.amazonaws.com/berth/shop';

function deployment(overrides: Partial<DeploymentSnapshot> & { digest: string }): DeploymentSnapshot {
  const { digest, ...rest } = overrides;
  return { id: `ecs-svc/${digest.slice(7, 11)}`, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: `td:${digest.slice(7, 9)}`, images: [`${repo}@${digest}`], desired: 2, running: 0, pending: 0, failedTasks: 0, ...rest };
}

function snapshot(overrides: Partial<RolloutSnapshot>): RolloutSnapshot {
  return { deployments: [], desired: 2, running: 2, events: [], ...overrides };
}

describe('evaluateRollout', () => {
  it('is healthy only when the rollout completed, all targets are healthy and the health path answers 2xx', () => {
    const verdict = evaluateRollout(snapshot({
      deployments: [deployment({ digest: NEW, rolloutState: 'COMPLETED', running: 2 })],
      targets: [{ id: '10.0.1.5:8000', state: 'healthy' }, { id: '10.0.2.7:8000', state: 'healthy' }],
      probe: { url: 'http://shop-123.eu-west-1.elb.amazonaws.com/health', status: 200 },
    }), NEW, { needProbe: true });
    expect(verdict).toEqual({ state: 'healthy', summary: '2/2 tasks running, 2/2 targets healthy, GET http://shop-123.eu-west-1.elb.amazonaws.com/health answered 200' });
  });

  it('detects the circuit breaker rolling back to the previous release, with reasons', () => {
    const verdict = evaluateRollout(snapshot({
      deployments: [
        deployment({ digest: OLD, rolloutState: 'IN_PROGRESS', running: 2 }),
        deployment({ digest: NEW, status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: 3 }),
      ],
      events: ['(service shop) has started 1 tasks: (task 1).', '(service shop) deployment ecs-svc/123 deployment failed: tasks failed to start.'],
    }), NEW, { needProbe: true });
    expect(verdict.state).toBe('rolled-back');
    expect(verdict.state !== 'waiting' && verdict.state !== 'healthy' && verdict.reasons).toEqual([
      'the ECS deployment was rolled back: ECS deployment circuit breaker: tasks failed to start.',
      '3 tasks of the new release failed to start or stay healthy',
      '(service shop) deployment ecs-svc/123 deployment failed: tasks failed to start.',
    ]);
  });

  it('does not call a completed rollout healthy while targets are unhealthy or the URL fails', () => {
    const base = { deployments: [deployment({ digest: NEW, rolloutState: 'COMPLETED', running: 2 })] };
    const unhealthy = evaluateRollout(snapshot({ ...base, targets: [{ id: 'a', state: 'healthy' }, { id: 'b', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' }] }), NEW, { needProbe: false });
    expect(unhealthy).toEqual({ state: 'waiting', waitingFor: ['load balancer targets: 1/2 healthy (unhealthy Target.ResponseCodeMismatch)'] });
    const probe = evaluateRollout(snapshot({ ...base, targets: [{ id: 'a', state: 'healthy' }, { id: 'b', state: 'healthy' }], probe: { url: 'http://x/health', status: 503 } }), NEW, { needProbe: true });
    expect(probe).toEqual({ state: 'waiting', waitingFor: ['GET http://x/health to answer 2xx (got 503)'] });
  });

  it('says what it waits for while ECS rolls out and old tasks drain', () => {
    const verdict = evaluateRollout(snapshot({
      deployments: [deployment({ digest: NEW, running: 1, pending: 1 }), deployment({ digest: OLD, status: 'ACTIVE', rolloutState: 'COMPLETED', running: 2 })],
    }), NEW, { needProbe: true });
    expect(verdict).toEqual({ state: 'waiting', waitingFor: ['ECS rollout IN_PROGRESS: 1/2 new tasks running, 1 pending', '2 old tasks to drain', 'the health check through the public URL'] });
  });

  it('waits when ECS has not started the new deployment yet', () => {
    expect(evaluateRollout(snapshot({ deployments: [deployment({ digest: OLD, rolloutState: 'COMPLETED', running: 2 })] }), NEW, { needProbe: false }).state).toBe('waiting');
  });

  it('a timeout names what was still awaited', () => {
    expect(timeoutReasons(1200, { state: 'waiting', waitingFor: ['load balancer targets: 0/2 healthy'] }, 'x')).toEqual(['the deploy did not become healthy within 20m (--timeout); still waiting for: load balancer targets: 0/2 healthy']);
    expect(timeoutReasons(90, undefined, 'stack berth-shop-prod to finish')[0]).toMatch(/within 90s.*stack berth-shop-prod to finish/);
  });
});
