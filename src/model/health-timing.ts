/**
 * One rule for health timing on both targets. A new task or replica has `gracePeriod` seconds to start:
 * failed checks in that window do not count (ECS: the service's health-check grace period and the container
 * health check's start period; locally: the balancer's probes and the replica's Docker health check).
 * ECS caps a container health check's start period at 300 s; the service's grace period covers longer starts,
 * and the local target applies the full grace period everywhere, so both wait the same time.
 *
 * Fast probes on the local engine. A new replica is healthy after `healthyThreshold` passing checks in a row and
 * unhealthy after `unhealthyThreshold` failing ones that count, on both targets. What differs is the spacing:
 * an ALB checks every `interval` seconds (30 by default) because it pays per check on many targets; the local
 * balancer checks a new replica every FAST_PROBE_SECONDS until it has its passes, so a good redeploy does not sit
 * idle for (healthyThreshold x interval) seconds. Fast probes can only make a replica healthy sooner, never
 * unhealthy sooner: a failed check counts only outside the grace period and at least `interval` seconds after
 * the previous failure that counted, so a slow starter gets exactly as long as on AWS. Once healthy, a replica is
 * checked every `interval`, like a registered target. The local rollout stops earlier only on evidence that
 * explains a failure by itself (the doctor's conclusive diagnoses: the app listens elsewhere, exited, ...).
 */
import type { HealthCheck } from '../config/model.js';

/** ECS's limit on a container health check's startPeriod. */
export const ECS_MAX_START_PERIOD = 300;

/** Seconds after start during which failed checks do not count. */
export function gracePeriodSeconds(health: Pick<HealthCheck, 'gracePeriod'>): number {
  return health.gracePeriod;
}

/** The container health check's start period on ECS (capped) — the service grace period carries the rest. */
export function ecsContainerStartPeriod(health: Pick<HealthCheck, 'gracePeriod'>): number {
  return Math.min(health.gracePeriod, ECS_MAX_START_PERIOD);
}

/** Whether a failed check at `nowMs` counts against a replica or task that started at `startedAtMs`. */
export function failureCounts(health: Pick<HealthCheck, 'gracePeriod'>, startedAtMs: number, nowMs: number): boolean {
  return nowMs - startedAtMs >= gracePeriodSeconds(health) * 1000;
}

/** The shortest time a healthy target needs to be in service: healthyThreshold passes, one interval apart. */
export function secondsToHealthy(health: Pick<HealthCheck, 'interval' | 'healthyThreshold'>): number {
  return health.interval * health.healthyThreshold;
}

/** Seconds from a web replica's registration with the local balancer (or its restart by the engine) to its first check. */
export const FIRST_CHECK_SECONDS = 0.1;

/**
 * Seconds between checks of a new replica until it is healthy (or unhealthy): it is found listening within a tenth of
 * a second of starting, and its `healthyThreshold` passes are as far apart. A check is one request on loopback (about
 * a millisecond); an app that answers its health path with errors while it starts logs ten of them a second until
 * its grace period ends. Failures still count one interval apart.
 */
export const FAST_PROBE_SECONDS = 0.1;

/** The local balancer's health state of a replica (see src/targets/local/balancer-model.ts). */
export type ProbeState = 'initial' | 'healthy' | 'unhealthy' | 'down';

/**
 * Seconds until the next check of a replica: every FAST_PROBE_SECONDS until it is healthy (or unhealthy), then the
 * configured interval. Never slower than `interval`.
 */
export function probeDelaySeconds(health: Pick<HealthCheck, 'interval'>, state: ProbeState): number {
  return state === 'initial' ? Math.min(FAST_PROBE_SECONDS, health.interval) : health.interval;
}

/**
 * Whether a failed check at `nowMs` counts against a replica: outside the grace period, and (with fast probes)
 * at least one interval after the previous failure that counted, so failures count at the pace an ALB would see them.
 */
export function failureCountsNow(
  health: Pick<HealthCheck, 'gracePeriod' | 'interval'>,
  timing: { startedAtMs: number; lastCountedFailureMs?: number },
  nowMs: number,
): boolean {
  if (!failureCounts(health, timing.startedAtMs, nowMs)) return false;
  return timing.lastCountedFailureMs === undefined || nowMs - timing.lastCountedFailureMs >= health.interval * 1000;
}

/** "on AWS the same checks take at least 60s (2 passes, 30s apart)": for a deploy's output. */
export function awsHealthCheckNote(health: Pick<HealthCheck, 'interval' | 'healthyThreshold'>): string {
  return `on AWS the same checks take at least ${secondsToHealthy(health)}s (${health.healthyThreshold} pass${health.healthyThreshold === 1 ? '' : 'es'}, ${health.interval}s apart)`;
}
