/**
 * The local load balancer's data: what the deploy asks for (BalancerConfig, written to balancer.json)
 * and what the balancer reports (BalancerStatus, over its control socket). Shared by the daemon and the CLI.
 * The balancer is also the environment's supervisor: it keeps every web and worker replica of the current
 * release running and runs the jobs on their schedules.
 */
import type { HealthCheck } from '../../config/model.js';
import type { RoutingTable } from '../../plan/local/routing.js';
import { failureCountsNow } from '../../model/health-timing.js';

/**
 * candidate: health-checked, no production traffic yet (the test listener reaches it); active: in rotation when healthy;
 * standby: the old set during a blue/green or canary bake — health-checked and ready, no traffic; draining: in-flight only.
 */
export type BackendRole = 'candidate' | 'active' | 'standby' | 'draining';
/** initial: not yet healthy (web: healthyThreshold passes; worker: still starting); down: the container is not running. */
export type BackendHealth = 'initial' | 'healthy' | 'unhealthy' | 'down';

export interface BackendEntry {
  /** Container name (also the sticky-session cookie value). */
  id: string;
  containerId: string;
  release: number;
  /** The berth service it is a replica of. */
  service: string;
  /** web: behind the balancer, checked over HTTP; worker: no traffic, its health is the container's. */
  kind: 'web' | 'worker';
  /** http://127.0.0.1:<published port>; '' for a worker. */
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
  /** When the last failed check that counted happened (a new replica is probed fast; failures count one interval apart). */
  lastCountedFailureAt?: string;
}

/** A web service's pool: its health check and sticky sessions. */
export interface PoolConfig {
  service: string;
  health: HealthCheck;
  /** Cookie lifetime in seconds when sticky sessions are on. */
  stickySeconds: number | false;
  cookieName: string;
}

export interface BalancerConfig {
  app: string;
  env: string;
  /** 127.0.0.1:<port>; absent when the app has no web service (the process then only supervises and schedules). */
  port?: number;
  routing: RoutingTable;
  pools: PoolConfig[];
  backends: BackendEntry[];
  /** The release the balancer keeps at each service's replica count (and whose jobs it runs). */
  supervise?: { release: number; counts: Record<string, number>; planFile: string };
  /** Blue/green and canary: 127.0.0.1:<testPort> routes like the main port, to the healthy candidates only. */
  testPort?: number;
  /** The routes the test listener uses: the new release's (the main port keeps the running release's until the switch). */
  testRouting?: RoutingTable;
  /** Canary: this share (%) of each web service's new requests goes to the replicas of `release`, the rest to the others. */
  split?: { release: number; percent: number };
}

export interface BalancerStatus {
  pid: number;
  port?: number;
  startedAt: string;
  /** The berth code the balancer runs (code-version.ts); absent from balancers of berth before it reported it. */
  code?: string;
  backends: BackendStatus[];
  /** Recent events, newest first (replacements, health changes, job runs). */
  events: string[];
  /** The jobs the balancer schedules: the next run of each (ISO 8601). */
  jobs?: Array<{ job: string; nextRun?: string }>;
  /** How many times its supervisor started the balancer again after it died (crash, SIGKILL). */
  restarts?: number;
  /** When and how the previous balancer ended, e.g. "2026-11-30T12:00:00.000Z killed by SIGKILL". */
  lastRestart?: string;
}

/** balancer-health.json: the health the balancer last knew of each backend, read back when it restarts. */
export interface SavedHealth {
  savedAt: string;
  backends: Array<Pick<BackendStatus, 'id' | 'containerId' | 'health' | 'consecutivePasses' | 'consecutiveFailures' | 'registeredAt' | 'lastCheck' | 'lastError'>>;
  events: string[];
}

export function savedHealth(backends: readonly BackendStatus[], events: readonly string[], now: number): SavedHealth {
  return {
    savedAt: new Date(now).toISOString(),
    backends: backends.map(({ id, containerId, health, consecutivePasses, consecutiveFailures, registeredAt, lastCheck, lastError }) => ({ id, containerId, health, consecutivePasses, consecutiveFailures, registeredAt, ...(lastCheck ? { lastCheck } : {}), ...(lastError ? { lastError } : {}) })),
    events: events.slice(0, 50),
  };
}

/**
 * A restarted balancer's view of its backends: the saved health of each backend that is still the same container
 * (so healthy replicas serve at once instead of re-entering as "initial"); new backends keep their fresh state. Pure.
 */
export function restoreHealth(fresh: BackendStatus, saved: SavedHealth | undefined): BackendStatus {
  const entry = saved?.backends.find((candidate) => candidate.id === fresh.id && candidate.containerId === fresh.containerId);
  if (!entry) return fresh;
  return { ...fresh, health: entry.health, consecutivePasses: entry.consecutivePasses, consecutiveFailures: entry.consecutiveFailures, registeredAt: entry.registeredAt, ...(entry.lastCheck ? { lastCheck: entry.lastCheck } : {}), ...(entry.lastError ? { lastError: entry.lastError } : {}) };
}

/** The engine's list entry of a container, as much as the dependency supervision reads. */
export interface ContainerListEntry {
  Id: string;
  Names: string[];
  State: string;
  Status: string;
  Labels: Record<string, string>;
}

/**
 * Dependencies (database, cache) the balancer starts again: stopped ones (`docker stop`, or exited while the
 * engine's unless-stopped policy does not apply). Running, restarting, paused and removing ones are left alone. Pure.
 */
export function stoppedDependencies(containers: readonly ContainerListEntry[], roleLabel: string): ContainerListEntry[] {
  return containers.filter((entry) => (entry.Labels[roleLabel] === 'database' || entry.Labels[roleLabel] === 'cache') && (entry.State === 'exited' || entry.State === 'created'));
}

/** The backends a new request may go to: active and healthy. */
export function inRotation(backends: readonly BackendStatus[]): BackendStatus[] {
  return backends.filter((backend) => backend.role === 'active' && backend.health === 'healthy');
}

/**
 * Picks the backend for a request among one service's pool: the sticky one when its cookie names a backend
 * still in rotation, else the next in round-robin order. Pure; `cursor` is the pool's round-robin position.
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

/**
 * Whether the request numbered `sequence` (0, 1, 2, ... per service) belongs to the canary share: exactly `percent` of
 * every 100 consecutive requests, spread evenly (pure).
 */
export function takesCanaryShare(sequence: number, percent: number): boolean {
  return Math.floor(((sequence + 1) * percent) / 100) > Math.floor((sequence * percent) / 100);
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
  // A new replica is probed every FAST_PROBE_SECONDS (src/model/health-timing.ts): its failures count at the pace an
  // ALB would see them, one interval apart, so fast probes make it healthy sooner but never unhealthy sooner.
  const lastCounted = backend.lastCountedFailureAt ? Date.parse(backend.lastCountedFailureAt) : undefined;
  if (backend.health === 'initial' && !failureCountsNow(health, { startedAtMs: Date.parse(backend.registeredAt), ...(lastCounted !== undefined ? { lastCountedFailureMs: lastCounted } : {}) }, now)) return next;
  next.lastCountedFailureAt = new Date(now).toISOString();
  next.consecutiveFailures += 1;
  if (next.consecutiveFailures >= health.unhealthyThreshold) next.health = 'unhealthy';
  return next;
}

/**
 * A worker without a health command counts as healthy once its process has kept running this long: ECS calls a
 * task without a health check healthy when it is RUNNING, and a worker that crashes at start-up would pass that
 * at once locally (the engine restarts it), so the local rule waits a few seconds for the crash.
 */
export const WORKER_STABLE_SECONDS = 5;

export interface WorkerContainerState {
  running: boolean;
  restarting: boolean;
  /** ISO 8601 start of the current process. */
  startedAt?: string;
  /** The engine's health-check verdict when the worker has `health.command`. */
  healthStatus?: 'starting' | 'healthy' | 'unhealthy' | 'none';
  exitCode?: number;
}

/** A worker's health from its container (pure): what the engine says, or how long the process has run. */
export function workerHealth(state: WorkerContainerState, now: number): { health: BackendHealth; error?: string } {
  if (!state.running || state.restarting) return { health: 'down', error: state.exitCode !== undefined ? `exited with code ${state.exitCode}` : 'not running' };
  if (state.healthStatus === 'healthy') return { health: 'healthy' };
  if (state.healthStatus === 'unhealthy') return { health: 'unhealthy', error: 'health.command failed' };
  if (state.healthStatus === 'starting') return { health: 'initial' };
  const started = state.startedAt ? Date.parse(state.startedAt) : now;
  return now - started >= WORKER_STABLE_SECONDS * 1000 ? { health: 'healthy' } : { health: 'initial' };
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
