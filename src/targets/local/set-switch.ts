/**
 * Blue/green and canary on the local balancer (berth.yml `deploy`): test requests through the test listener before
 * any production request reaches the new set, the switch (all at once, or the canary share first), the bake with the
 * old set kept ready, and the return of traffic — by the deploy itself when a new replica fails, or by `berth rollback`
 * from another process while the deploy bakes (the state file `traffic-switch.json` says which release to return to).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { DeployStrategy, ResolvedConfig } from '../../config/model.js';
import { localTestPort, STATE_FILES, webServices } from '../../model/index.js';
import type { LocalPlan } from '../../plan/local/local-plan.js';
import type { BalancerClient } from './balancer-client.js';
import type { BackendEntry, BalancerConfig } from './balancer-model.js';
import { writePrivateFile } from './private-files.js';

/** What `berth rollback` needs while a deploy switches sets. */
export interface TrafficSwitchState {
  /** The release taking traffic. */
  release: number;
  /** The release whose replicas stay ready, and its supervision. */
  previous: number;
  previousSupervise?: BalancerConfig['supervise'];
  /** The deploying process. */
  pid: number;
  phase: 'canary' | 'bake';
  /** Set by `berth rollback` once traffic is back on `previous`. */
  returned?: boolean;
}

export function trafficSwitchFile(stateDir: string): string {
  return join(stateDir, STATE_FILES.trafficSwitch);
}

export function readTrafficSwitch(stateDir: string): TrafficSwitchState | undefined {
  const file = trafficSwitchFile(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TrafficSwitchState;
  } catch {
    return undefined;
  }
}

export function writeTrafficSwitch(stateDir: string, state: TrafficSwitchState): void {
  // Owner-only, like every local state file.
  writePrivateFile(trafficSwitchFile(stateDir), `${JSON.stringify(state, null, 2)}\n`);
}

export function clearTrafficSwitch(stateDir: string): void {
  rmSync(trafficSwitchFile(stateDir), { force: true });
}

/** Whether the deploy that wrote the state is still running (a crashed deploy leaves a stale file). */
export function switchInFlight(state: TrafficSwitchState | undefined): state is TrafficSwitchState {
  if (!state || state.returned) return false;
  try {
    process.kill(state.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The balancer's test port for the plan's balancer. */
export function testPortOf(plan: LocalPlan): number | undefined {
  return plan.balancer ? localTestPort(plan.balancer.port) : undefined;
}

/** The test request set: each web service's health path (with its route's host), three times, through the test listener (pure). */
export function testRequests(config: Pick<ResolvedConfig, 'services'>, testPort: number): Array<{ service: string; port: number; path: string; host?: string }> {
  return webServices(config).filter((service) => service.loadBalancer).flatMap((service) => [1, 2, 3].map(() => ({
    service: service.name,
    port: testPort,
    path: routedPath(service.route.path, service.health.path),
    ...(service.route.host && !service.route.host.startsWith('*') ? { host: service.route.host } : {}),
  })));
}

/** A path the service's route takes: its health path, under the route's prefix when it does not start with it (pure). */
function routedPath(routePath: string | undefined, healthPath: string): string {
  const prefix = routePath?.replace(/[*?].*$/, '').replace(/\/$/, '') ?? '';
  return prefix && !healthPath.startsWith(prefix) ? `${prefix}${healthPath}` : healthPath;
}

function getStatus(request: { port: number; path: string; host?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = http.get({ host: '127.0.0.1', port: request.port, path: request.path, headers: { 'user-agent': 'berth-test-traffic', ...(request.host ? { host: request.host } : {}) }, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    sent.on('timeout', () => sent.destroy(new Error('no answer within 10s')));
    sent.on('error', reject);
  });
}

/** Sends the test request set; the first answer that is not 2xx (or no answer) is the reason the new set fails. */
export async function sendTestRequests(config: Pick<ResolvedConfig, 'services'>, testPort: number): Promise<string | undefined> {
  for (const request of testRequests(config, testPort)) {
    const shown = `GET 127.0.0.1:${request.port}${request.path}${request.host ? ` (host ${request.host})` : ''}`;
    try {
      const status = await getStatus(request);
      if (status < 200 || status >= 300) return `the test request ${shown} to the new replicas of ${request.service} answered HTTP ${status}`;
    } catch (error) {
      return `the test request ${shown} to the new replicas of ${request.service} got no answer: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return undefined;
}

/** The backends once traffic is back on the previous release: the new release's drain, every other one serves (pure). */
export function returnedBackends(backends: readonly BackendEntry[], release: number): BackendEntry[] {
  return backends.map((backend) => (backend.release === release ? { ...backend, role: 'draining' as const } : backend.role === 'standby' ? { ...backend, role: 'active' as const } : backend));
}

/** Hands production traffic back to the previous release at once (one balancer configuration change). */
export async function returnTraffic(balancer: BalancerClient, state: TrafficSwitchState): Promise<BalancerConfig | undefined> {
  const saved = balancer.savedConfig();
  if (!saved) return undefined;
  const { split: _split, testPort: _testPort, testRouting: _testRouting, supervise: _supervise, ...rest } = saved;
  const next: BalancerConfig = { ...rest, backends: returnedBackends(saved.backends, state.release), ...(state.previousSupervise ? { supervise: state.previousSupervise } : {}) };
  await balancer.apply(next);
  return next;
}

/** Words for progress: "canary: 10% of requests for 5s", "bake: release 3 stays ready for 5s". */
export function describeWait(deploy: DeployStrategy, phase: 'canary' | 'bake', previous: number): string {
  return phase === 'canary'
    ? `Canary: ${deploy.canary.percent}% of requests on the new release for ${deploy.canary.for}s`
    : `Bake: release ${previous} stays ready for ${deploy.bake}s (\`berth rollback\` returns traffic to it at once)`;
}
