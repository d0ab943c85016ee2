/**
 * When is a deploy done? Pure decisions over what ECS, the load balancer and one HTTP GET report:
 * done only when the ECS deployment of our image COMPLETED (not rolled back), every target is healthy
 * and the health path answers 2xx through the public URL. Otherwise: still waiting (and on what),
 * rolled back, failed, or timed out.
 */

export interface DeploymentSnapshot {
  id: string;
  /** PRIMARY, ACTIVE, INACTIVE. */
  status: string;
  /** IN_PROGRESS, COMPLETED, FAILED. */
  rolloutState?: string;
  rolloutStateReason?: string;
  taskDefinition: string;
  /** Images of the task definition's containers, when looked up. */
  images?: string[];
  desired: number;
  running: number;
  pending: number;
  failedTasks: number;
}

export interface TargetSnapshot {
  id: string;
  /** healthy, unhealthy, initial, draining, unused, unavailable. */
  state: string;
  reason?: string;
  description?: string;
}

export interface HealthProbe {
  url: string;
  status?: number;
  error?: string;
}

export interface RolloutSnapshot {
  deployments: DeploymentSnapshot[];
  desired: number;
  running: number;
  /** undefined when the service has no load balancer. */
  targets?: TargetSnapshot[];
  /** undefined until a probe ran (or without a public URL). */
  probe?: HealthProbe;
  /** Service events, newest first. */
  events: string[];
}

export type RolloutVerdict =
  | { state: 'waiting'; waitingFor: string[] }
  | { state: 'healthy'; summary: string }
  | { state: 'rolled-back' | 'failed'; reasons: string[] };

/**
 * True when this deployment runs the image we deployed: by digest (`sha256:...`), or — for a service with its own
 * `image:` reference in berth.yml — that exact reference.
 */
function runsImage(deployment: DeploymentSnapshot, digest: string): boolean {
  const byDigest = digest.startsWith('sha256:');
  return (deployment.images ?? []).some((image) => (byDigest ? image.endsWith(`@${digest}`) : image === digest));
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/** Whether the rollout is done, still going, or failed, for the image with `digest` (pure). */
export function evaluateRollout(snapshot: RolloutSnapshot, digest: string, options: { needProbe: boolean }): RolloutVerdict {
  const ours = snapshot.deployments.filter((deployment) => runsImage(deployment, digest));
  const primary = snapshot.deployments.find((deployment) => deployment.status === 'PRIMARY');
  const failedOurs = ours.find((deployment) => deployment.rolloutState === 'FAILED');
  if (failedOurs || (primary && ours.length > 0 && !ours.includes(primary) && ours.every((d) => d.status === 'INACTIVE'))) {
    const reason = failedOurs?.rolloutStateReason ?? 'ECS replaced the new deployment with the previous one';
    const kind = primary && !runsImage(primary, digest) ? 'rolled-back' : 'failed';
    const reasons = [`the ECS deployment ${kind === 'rolled-back' ? 'was rolled back' : 'failed'}: ${reason}`];
    const failed = ours.reduce((sum, deployment) => sum + deployment.failedTasks, 0);
    if (failed > 0) reasons.push(`${failed} task${failed === 1 ? '' : 's'} of the new release failed to start or stay healthy`);
    reasons.push(...snapshot.events.filter((event) => /unhealthy|failed|unable|error|circuit breaker|rolling back/i.test(event)).slice(0, 3));
    return { state: kind, reasons };
  }
  if (!primary || !runsImage(primary, digest)) {
    return { state: 'waiting', waitingFor: ['ECS to start a deployment of the new task definition'] };
  }
  const waitingFor: string[] = [];
  if (primary.rolloutState !== 'COMPLETED') {
    waitingFor.push(`ECS rollout ${primary.rolloutState ?? 'IN_PROGRESS'}: ${primary.running}/${primary.desired} new tasks running${primary.pending ? `, ${primary.pending} pending` : ''}`);
  }
  const others = snapshot.deployments.filter((deployment) => deployment !== primary && deployment.status !== 'INACTIVE' && deployment.running > 0);
  if (others.length > 0) waitingFor.push(`${others.reduce((sum, d) => sum + d.running, 0)} old tasks to drain`);
  if (snapshot.targets) {
    const healthy = snapshot.targets.filter((target) => target.state === 'healthy').length;
    const notHealthy = snapshot.targets.filter((target) => target.state !== 'healthy' && target.state !== 'draining');
    if (healthy < primary.desired || notHealthy.length > 0) {
      const detail = notHealthy.map((target) => `${target.state}${target.reason ? ` ${target.reason}` : ''}`);
      waitingFor.push(`load balancer targets: ${healthy}/${primary.desired} healthy${detail.length ? ` (${[...new Set(detail)].join(', ')})` : ''}`);
    }
  }
  if (options.needProbe) {
    if (!snapshot.probe) waitingFor.push('the health check through the public URL');
    else if (!isSuccess(snapshot.probe.status)) waitingFor.push(`GET ${snapshot.probe.url} to answer 2xx (${snapshot.probe.error ?? `got ${snapshot.probe.status}`})`);
  }
  if (waitingFor.length > 0) return { state: 'waiting', waitingFor };
  const targets = snapshot.targets ? `, ${snapshot.targets.length}/${snapshot.targets.length} targets healthy` : '';
  const probe = snapshot.probe ? `, GET ${snapshot.probe.url} answered ${snapshot.probe.status}` : '';
  return { state: 'healthy', summary: `${primary.running}/${primary.desired} tasks running${targets}${probe}` };
}

/** The reasons for a deploy that ran out of time: what was still awaited (pure). */
export function timeoutReasons(timeoutSeconds: number, last: RolloutVerdict | undefined, stage: string): string[] {
  const minutes = timeoutSeconds % 60 === 0 ? `${timeoutSeconds / 60}m` : `${timeoutSeconds}s`;
  const awaited = last?.state === 'waiting' ? last.waitingFor : [stage];
  return [`the deploy did not become healthy within ${minutes} (--timeout); still waiting for: ${awaited.join('; ')}`];
}

/**
 * One verdict for a release of several services (pure): failed or rolled back as soon as one service is, healthy
 * when every one is, otherwise waiting on each that is not done. With several services each line names its service.
 */
export function combineRollouts(verdicts: ReadonlyArray<{ service: string; verdict: RolloutVerdict }>): RolloutVerdict {
  const named = verdicts.length > 1;
  const label = (service: string, text: string) => (named ? `${service}: ${text}` : text);
  const broken = verdicts.filter(({ verdict }) => verdict.state === 'failed' || verdict.state === 'rolled-back');
  if (broken.length > 0) {
    const state = broken.some(({ verdict }) => verdict.state === 'rolled-back') ? 'rolled-back' : 'failed';
    return { state, reasons: broken.flatMap(({ service, verdict }) => (verdict.state === 'failed' || verdict.state === 'rolled-back' ? verdict.reasons.map((reason) => label(service, reason)) : [])) };
  }
  const waiting = verdicts.flatMap(({ service, verdict }) => (verdict.state === 'waiting' ? verdict.waitingFor.map((what) => label(service, what)) : []));
  if (waiting.length > 0) return { state: 'waiting', waitingFor: waiting };
  return { state: 'healthy', summary: verdicts.map(({ service, verdict }) => label(service, verdict.state === 'healthy' ? verdict.summary : '')).join('; ') };
}
