import { describe, expect, it } from 'vitest';
import type { BackendEntry, BackendRole } from './balancer-model.js';
import { describeSettlement, settleKilledDeploy } from './killed-deploy.js';

const backend = (release: number, index: number, role: BackendRole, kind: 'web' | 'worker' = 'web'): BackendEntry => ({
  id: `berth-app-local-web-r${release}-${index}`,
  containerId: `c${release}-${index}`,
  release,
  service: kind === 'web' ? 'web' : 'worker',
  kind,
  url: kind === 'web' ? `http://127.0.0.1:3${release}${index}` : '',
  role,
});
const all = () => true;
const none = () => false;
const ids = (entries: readonly BackendEntry[]) => entries.map((entry) => `${entry.containerId}:${entry.role}`);

describe('settleKilledDeploy', () => {
  it('leaves a settled balancer alone', () => {
    expect(settleKilledDeploy([backend(4, 1, 'active'), backend(4, 2, 'active')], 4, all)).toEqual({ kind: 'none' });
    expect(settleKilledDeploy([], undefined, all)).toEqual({ kind: 'none' });
  });

  it('killed during health checks: the candidates leave, the previous release keeps its rotation', () => {
    const settlement = settleKilledDeploy([backend(4, 1, 'active'), backend(4, 2, 'active'), backend(5, 1, 'candidate'), backend(5, 2, 'candidate')], 4, all);
    expect(settlement.kind).toBe('restore');
    if (settlement.kind !== 'restore') return;
    expect(ids(settlement.backends)).toEqual(['c4-1:active', 'c4-2:active']);
    expect(settlement.drain).toEqual([]);
    expect(ids(settlement.remove)).toEqual(['c5-1:candidate', 'c5-2:candidate']);
  });

  it('killed while the previous release drains: it is back in rotation, the new replicas drain and leave', () => {
    const settlement = settleKilledDeploy([backend(5, 1, 'active'), backend(5, 2, 'active'), backend(4, 1, 'draining'), backend(4, 2, 'draining'), backend(4, 3, 'draining', 'worker')], 4, all);
    expect(settlement.kind).toBe('restore');
    if (settlement.kind !== 'restore') return;
    expect(settlement.serving).toBe(4);
    expect(ids(settlement.backends)).toEqual(['c4-1:active', 'c4-2:active', 'c4-3:active']);
    expect(ids(settlement.drain)).toEqual(['c5-1:draining', 'c5-2:draining']);
    expect(ids(settlement.remove)).toEqual(['c5-1:active', 'c5-2:active']);
  });

  it('killed during a blue/green bake: the standby set serves again', () => {
    const settlement = settleKilledDeploy([backend(5, 1, 'active'), backend(4, 1, 'standby')], 4, all);
    expect(settlement.kind).toBe('restore');
    if (settlement.kind === 'restore') expect(ids(settlement.backends)).toEqual(['c4-1:active']);
  });

  it('killed while the previous replicas were being stopped: the new release, which has the traffic, stays', () => {
    const settlement = settleKilledDeploy([backend(5, 1, 'active'), backend(5, 2, 'active'), backend(4, 1, 'draining'), backend(4, 2, 'draining')], 4, (id) => id.startsWith('c5') || id === 'c4-2');
    expect(settlement.kind).toBe('keep');
    if (settlement.kind !== 'keep') return;
    expect(settlement.release).toBe(5);
    expect(ids(settlement.backends)).toEqual(['c5-1:active', 'c5-2:active']);
    expect(ids(settlement.remove)).toEqual(['c4-1:draining', 'c4-2:draining']);
  });

  it('a previous release whose replicas are gone while the new ones never had traffic still gets its rotation back (the balancer replaces them)', () => {
    const settlement = settleKilledDeploy([backend(4, 1, 'active'), backend(5, 1, 'candidate')], 4, (id) => id === 'c5-1');
    expect(settlement.kind).toBe('restore');
  });

  it('a killed first deploy: candidates leave (nothing served before); replicas in rotation stay', () => {
    expect(settleKilledDeploy([backend(1, 1, 'candidate')], undefined, all)).toEqual({ kind: 'remove', remove: [backend(1, 1, 'candidate')] });
    const kept = settleKilledDeploy([backend(1, 1, 'active')], undefined, all);
    expect(kept).toMatchObject({ kind: 'keep', release: 1 });
    expect(settleKilledDeploy([backend(1, 1, 'active')], undefined, none)).toMatchObject({ kind: 'remove' });
  });

  it('says what was done in one line', () => {
    const restore = settleKilledDeploy([backend(5, 1, 'active'), backend(4, 1, 'draining')], 4, all);
    expect(describeSettlement(restore, [5])).toBe('the deploy of release 5 was killed before it finished: release 4 is in rotation again and the replica it left was removed');
    expect(describeSettlement({ kind: 'none' }, [])).toBeUndefined();
  });
});
