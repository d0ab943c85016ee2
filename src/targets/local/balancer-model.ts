/**
 * The local load balancer's data: what the deploy asks for (BalancerConfig, written to balancer.json)
 * and what the balancer reports (BalancerStatus, over its control socket). Shared by the daemon and the CLI.
 */
import type { HealthCheck } from '../../config/model.js';

/** candidate: health-checked, no traffic yet; active: in rotation when healthy; draining: in-flight only. */
export type BackendRole = 'candidate' | 'active' | 'draining';
/** initial: not yet healthyThreshold passes; down: the container is not running. */
export type BackendHealth = 'initial' | 'healthy' | 'unhealthy' | 'down';

export interface BackendEntry {
  /** Container name (also the sticky-session cookie value). */
  id: string;
  containerId: string;
  release: number;
  /** http://127.0.0.1:<published port> */
  url: string;
  role: BackendRole;
  /** Replacements made by the balancer join the rotation on their own once healthy. */
  promoteWhenHealthy?: boolean;
}

export interface BackendStatus extends BackendEntry {
  health: BackendHealth;
  inflight: number;
  served: number;
  consecutivePasses: number;
  consecutiveFailures: number;
  lastCheck?: string;
  /** Why the last check failed, e.g. "HTTP 500" or "timeout after 2s". */
  lastError?: string;
  registeredAt: string;
}

export interface BalancerConfig {
  app: string;
  env: string;
  port: number;
  health: HealthCheck;
  stickySeconds: number | false;
  cookieName: string;
  backends: BackendEntry[];
  /** The release the balancer keeps at `count` replicas by replacing dead containers. */
  supervise?: { release: number; count: number; planFile: string };
}

export interface BalancerStatus {
  pid: number;
  port: number;
  startedAt: string;
  backends: BackendStatus[];
  /** Recent events, newest first (replacements, health changes). */
  events: string[];
}

/** The backends a new request may go to: active and healthy. */
export function inRotation(backends: readonly BackendStatus[]): BackendStatus[] {
  return backends.filter((backend) => backend.role === 'active' && backend.health === 'healthy');
}

/**
 * Picks the backend for a request: the sticky one when its cookie names a backend still in rotation,
 * else the next in round-robin order. Pure; `cursor` is the round-robin position.
 */
export function chooseBackend(backends: readonly BackendStatus[], cursor: number, stickyId?: string): { backend?: BackendStatus; cursor: number } {
  const eligible = inRotation(backends);
  if (eligible.length === 0) return { backend: undefined, cursor };
  if (stickyId) {
    const sticky = eligible.find((backend) => backend.id === stickyId);
    if (sticky) return { backend: sticky, cursor };
  }
  const next = cursor % eligible.length;
  return { backend: eligible[next], cursor: next + 1 };
}

/** Applies one health-check result with ALB semantics (thresholds; failures inside the grace period do not count). */
export function applyCheck(backend: BackendStatus, passed: boolean, health: HealthCheck, now: number, error?: string): BackendStatus {
  const next = { ...backend, lastCheck: new Date(now).toISOString() };
  if (passed) {
    next.consecutivePasses += 1;
    next.consecutiveFailures = 0;
    next.lastError = undefined;
    if (next.consecutivePasses >= health.healthyThreshold) next.health = 'healthy';
    else if (next.health === 'down') next.health = 'initial';
    return next;
  }
  next.lastError = error;
  next.consecutivePasses = 0;
  // A new replica gets at least one interval to start listening, even with gracePeriod 0.
  const grace = Math.max(health.gracePeriod, health.interval) * 1000;
  const inGrace = now - Date.parse(backend.registeredAt) < grace && backend.health === 'initial';
  if (inGrace) return next;
  next.consecutiveFailures += 1;
  if (next.consecutiveFailures >= health.unhealthyThreshold) next.health = 'unhealthy';
  return next;
}

/** Reads a cookie value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}
