/**
 * One rule for health timing on both targets. A new task or replica has `gracePeriod` seconds to start:
 * failed checks in that window do not count (ECS: the service's health-check grace period and the container
 * health check's start period; locally: the balancer's probes and the replica's Docker health check).
 * ECS caps a container health check's start period at 300 s; the service's grace period covers longer starts,
 * and the local target applies the full grace period everywhere, so both wait the same time.
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
