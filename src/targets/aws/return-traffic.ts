/**
 * `berth rollback` while a blue/green or canary deploy is in flight (most often baking): ECS still runs the old set,
 * so berth asks ECS to stop the deployment with ROLLBACK — production traffic returns to the old set at once, and the
 * CloudFormation update that waits on the deployment rolls itself back. No new release is deployed.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ResolvedConfig } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { currentRelease, switchesTrafficSets } from '../../model/index.js';
import type { Progress } from '../../terminal/progress.js';
import type { DeployOutcome, Release, RollbackRequest } from '../operations.js';
import { canReturnTraffic, rollbackEnded, type ServiceDeploymentState } from './deployment-phases.js';
import type { EnvironmentOutputs } from './environment-reads.js';
import { activeServiceDeployment, returnTraffic, serviceDeployment } from './service-deployments.js';
import { serviceScopes } from './service-scopes.js';

export interface ReturnTrafficPorts {
  config: Pick<ResolvedConfig, 'app' | 'env' | 'services' | 'deploy'>;
  ecs: ECSClient;
  /** The deployed environment stack's outputs; undefined before the first deploy. */
  outputs: EnvironmentOutputs | undefined;
  releases: { list(): Promise<Release[]>; update(release: Release): Promise<void> };
  progress: Progress;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** @default 5 */
  pollSeconds?: number;
}

/** Returns traffic to the old set of every blue/green or canary service with a deployment in flight; undefined when none has one. */
export async function returnTrafficInFlight(ports: ReturnTrafficPorts, request: Pick<RollbackRequest, 'to' | 'timeoutSeconds'>): Promise<DeployOutcome | undefined> {
  const { config, outputs, progress } = ports;
  if (config.deploy.strategy === 'rolling' || !outputs?.ClusterName) return undefined;
  const scopes = serviceScopes(config, outputs).filter((scope) => {
    const spec = config.services.find((service) => service.name === scope.name);
    return scope.ecsService !== undefined && spec !== undefined && switchesTrafficSets(config, spec);
  });
  const found = await Promise.all(scopes.map(async (scope) => ({ service: scope.name, state: await activeServiceDeployment(ports.ecs, scope.cluster, scope.ecsService!) })));
  const inFlight = found.filter((entry): entry is { service: string; state: ServiceDeploymentState } => entry.state !== undefined && canReturnTraffic(entry.state));
  if (inFlight.length === 0) return undefined;

  const history = await ports.releases.list();
  const serving = currentRelease(history);
  if (request.to !== undefined && request.to !== serving?.number) {
    throw new UsageError(
      `a ${config.deploy.strategy} deploy is in flight in ${config.env}: release ${serving?.number ?? '?'} still runs beside it, and --to ${request.to} is another release`,
      `run \`berth rollback --env ${config.env}\` to return traffic to release ${serving?.number ?? 'the old set'} at once, then roll back further once it finished`,
    );
  }
  const names = inFlight.map((entry) => entry.service).join(', ');
  const step = progress.step(`Returning traffic to ${serving ? `release ${serving.number}` : 'the old set'} (${names}: ecs:StopServiceDeployment ROLLBACK)`);
  try {
    for (const entry of inFlight) await returnTraffic(ports.ecs, entry.state.arn);
    const deadline = ports.now() + request.timeoutSeconds * 1000;
    const reasons: string[] = [];
    for (;;) {
      const states = await Promise.all(inFlight.map(async (entry) => ({ service: entry.service, state: await serviceDeployment(ports.ecs, entry.state.arn) })));
      const ended = states.map(({ service, state }) => ({ service, state, end: state ? rollbackEnded(state) : 'returned' as const }));
      if (ended.every((entry) => entry.end !== undefined)) {
        for (const entry of ended.filter((candidate) => candidate.end === 'failed')) reasons.push(`${entry.service}: ECS could not return traffic to the old set${entry.state?.reason ? `: ${entry.state.reason}` : ''}`);
        break;
      }
      step.update(ended.filter((entry) => entry.end === undefined).map((entry) => `${entry.service}: ${entry.state?.status.toLowerCase().replace(/_/g, ' ')}`).join('; '));
      if (ports.now() >= deadline) {
        reasons.push(`ECS had not finished returning traffic within --timeout ${request.timeoutSeconds}s (${names}); \`berth status --env ${config.env}\` shows where it is`);
        break;
      }
      await ports.sleep(Math.min((ports.pollSeconds ?? 5) * 1000, Math.max(0, deadline - ports.now())));
    }
    if (reasons.length > 0) step.fail(); else step.succeed(`traffic is back on ${serving ? `release ${serving.number}` : 'the old set'}`);
    const baking = [...history].filter((release) => release.status === 'deploying').sort((a, b) => b.number - a.number)[0];
    if (baking && reasons.length === 0) {
      await ports.releases.update({ ...baking, status: 'rolled-back', reason: `berth rollback during the ${config.deploy.strategy} deploy: ECS returned traffic to ${serving ? `release ${serving.number}` : 'the old set'}` }).catch(() => undefined);
      progress.info(`release ${baking.number} is marked rolled-back; CloudFormation rolls its stack update back by itself`);
    }
    return { ok: reasons.length === 0, env: config.env, ...(serving ? { release: serving } : {}), ...(outputs.Url ? { url: outputs.Url } : {}), reasons, logTail: [] };
  } catch (error) {
    step.fail();
    throw error;
  }
}
