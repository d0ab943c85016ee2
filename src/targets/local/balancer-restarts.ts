/** What the balancer's supervisor and the balancer agree on about restarts (balancer-supervisor.ts). */

/** The balancer's exit code when it cannot listen (its port is taken): the first start reports it and gives up. */
export const BALANCER_CANNOT_START = 3;

/** Environment variables the supervisor passes to each balancer it starts. */
export const RESTART_ENV = {
  /** How many times the supervisor has started the balancer again. */
  count: 'BERTH_BALANCER_RESTARTS',
  /** When and how the previous balancer ended, e.g. "2026-11-30T12:00:00.000Z killed by SIGKILL". */
  last: 'BERTH_BALANCER_LAST_EXIT',
} as const;

/** The first restart follows at once (50 ms); a balancer that dies again within 2 s of starting waits twice as long, up to 5 s. Pure. */
export function nextRestartDelay(previousDelayMs: number, livedMs: number): number {
  if (livedMs >= 2000 || previousDelayMs === 0) return 50;
  return Math.min(previousDelayMs * 2, 5000);
}

/** The restart record a balancer reports in its status, from its environment. */
export function restartsFromEnv(vars: NodeJS.ProcessEnv): { restarts: number; lastRestart?: string } {
  const count = Number(vars[RESTART_ENV.count] ?? 0);
  const last = vars[RESTART_ENV.last];
  return { restarts: Number.isInteger(count) && count > 0 ? count : 0, ...(last ? { lastRestart: last } : {}) };
}
