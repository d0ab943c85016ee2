/**
 * What the next berth command does with what a killed deploy (SIGKILL, or a second Ctrl-C during the undo) left in
 * the balancer: the release that served before comes back when its replicas still run, as an interrupt would have
 * done; only when they are gone does the killed release, which then has all the traffic, stay. Pure: the caller
 * reads the saved balancer configuration and the engine, then applies the settlement (operations.ts).
 */
import type { BackendEntry } from './balancer-model.js';

export type KilledDeploySettlement =
  | { kind: 'none' }
  /**
   * The previous release (`serving`) gets its rotation back in one balancer change: `backends` all active (the
   * balancer replaces one that stopped); `drain` held traffic (the killed release after its switch) and drains first.
   */
  | { kind: 'restore'; serving: number; backends: BackendEntry[]; drain: BackendEntry[]; remove: BackendEntry[] }
  /** The killed release had taken all traffic and the previous release's replicas are gone: it stays, as deployed. */
  | { kind: 'keep'; release: number; backends: BackendEntry[]; remove: BackendEntry[] }
  /** Nothing served before and the killed release never took traffic: its replicas leave and nothing serves. */
  | { kind: 'remove'; remove: BackendEntry[] };

/**
 * What the next command did after a killed deploy: its one line (describeSettlement), and the killed release whose
 * replicas had production traffic and gave it back, when there was one.
 */
export interface SettledKill {
  line: string;
  tookBackFrom?: number;
}

/**
 * Decides from the saved backends, the current release (the last one recorded deployed) and which containers run.
 * Backends of any other release were left by a deploy that did not finish (the caller holds the operation lock).
 */
export function settleKilledDeploy(backends: readonly BackendEntry[], current: number | undefined, running: (containerId: string) => boolean): KilledDeploySettlement {
  const stray = backends.filter((backend) => backend.release !== current);
  if (stray.length === 0) return { kind: 'none' };
  const previous = backends.filter((backend) => backend.release === current);
  const switched = stray.filter((backend) => backend.role === 'active' && running(backend.containerId));
  const previousRuns = previous.length > 0 && previous.every((backend) => running(backend.containerId));
  if (current !== undefined && previous.length > 0 && (switched.length === 0 || previousRuns)) {
    return {
      kind: 'restore',
      serving: current,
      backends: previous.map((backend) => ({ ...backend, role: 'active' as const })),
      drain: switched.map((backend) => ({ ...backend, role: 'draining' as const })),
      remove: stray,
    };
  }
  if (switched.length > 0) {
    const release = Math.max(...switched.map((backend) => backend.release));
    const kept = stray.filter((backend) => backend.release === release);
    return {
      kind: 'keep',
      release,
      backends: kept.map((backend) => ({ ...backend, role: 'active' as const })),
      remove: [...previous, ...stray.filter((backend) => backend.release !== release)],
    };
  }
  return { kind: 'remove', remove: [...previous, ...stray] };
}

/** The one line that says what the next command did after a killed deploy (shown by deploy, rollback and status). */
export function describeSettlement(settlement: KilledDeploySettlement, killed: readonly number[]): string | undefined {
  const which = killed.length ? `release ${killed.join(', ')}` : 'a deploy';
  const left = (entries: readonly BackendEntry[]) => (entries.length === 1 ? 'the replica it left was removed' : `the ${entries.length} replicas it left were removed`);
  switch (settlement.kind) {
    case 'none':
      return undefined;
    case 'restore':
      return `the deploy of ${which} was killed before it finished: release ${settlement.serving} is in rotation again and ${left(settlement.remove)}`;
    case 'keep':
      return `the deploy of release ${settlement.release} was killed after it took all traffic and the previous release's replicas had stopped: release ${settlement.release} keeps serving and is recorded deployed`;
    case 'remove':
      return `the deploy of ${which} was killed before it served: ${left(settlement.remove)}; nothing was serving before`;
  }
}

/**
 * `berth rollback` (no --to) after a killed deploy that had taken traffic: undoing that deploy was the rollback, so it
 * stops there rather than going one release further back than what served before the deploy.
 */
export function rollbackStopsAtUndo(serving: number, killed: number): string {
  return `the rollback stops there: release ${serving} serves again, as it did before the deploy of release ${killed}; run \`berth rollback\` again to go back further`;
}
