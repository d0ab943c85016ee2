/** `berth rollback` during a blue/green bake: ECS stops the deployment with ROLLBACK, traffic returns to the old set at once. */
import { DescribeServiceDeploymentsCommand, ECSClient, ListServiceDeploymentsCommand, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../config/model.js';
import { silentProgress } from '../../terminal/progress.js';
import type { Release } from '../operations.js';
import { describePhase } from './deployment-phases.js';
import { EnvironmentReader } from './environment-reads.js';
import { serviceScopes } from './service-scopes.js';
import { returnTrafficInFlight, type ReturnTrafficPorts } from './return-traffic.js';

const ecs = mockClient(ECSClient);
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/berth-shop-prod/berth-shop-prod/abc';
const BLUE_GREEN = { strategy: 'blue-green', bake: 300, canary: { percent: 10, for: 300 } } as const;

function release(number: number, status: Release['status']): Release {
  return { number, image: `repo@sha256:${String(number).repeat(64).slice(0, 64)}`, digest: `sha256:${String(number).repeat(64).slice(0, 64)}`, createdAt: '2026-11-30T12:00:00Z', createdBy: 'alice', status };
}

function ports(deploy: ResolvedConfig['deploy'] = BLUE_GREEN): ReturnTrafficPorts & { stored: Map<number, Release> } {
  const stored = new Map([[4, release(4, 'deployed')], [5, release(5, 'deploying')]]);
  let clock = 0;
  return {
    stored,
    config: { app: 'shop', env: 'prod', deploy, services: [{ name: 'web', kind: 'web', loadBalancer: true, route: {}, port: 8000, health: { path: '/health' } }] as unknown as ResolvedConfig['services'] },
    ecs: new ECSClient({ region: 'eu-west-1' }),
    outputs: { ClusterName: 'berth-shop-prod', ServiceName: 'berth-shop-prod', Url: 'http://shop.example' },
    releases: { list: async () => [...stored.values()], update: async (changed) => { stored.set(changed.number, changed); } },
    progress: silentProgress,
    now: () => clock,
    sleep: async (ms) => { clock += ms; },
  };
}

const elb = mockClient(ElasticLoadBalancingV2Client);

beforeEach(() => {
  ecs.reset();
  elb.reset();
});

describe('returnTrafficInFlight', () => {
  it('stops the baking deployment with ROLLBACK, waits until ECS returned traffic, and marks the baking release rolled back', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'IN_PROGRESS', createdAt: new Date() }] });
    ecs.on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }] })
      .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'ROLLBACK_IN_PROGRESS' }] })
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'ROLLBACK_SUCCESSFUL' }] });
    ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: ARN });
    const p = ports();
    const outcome = await returnTrafficInFlight(p, { timeoutSeconds: 600 });
    expect(outcome).toMatchObject({ ok: true, env: 'prod', release: { number: 4 }, url: 'http://shop.example', reasons: [] });
    expect(ecs.commandCalls(StopServiceDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ serviceDeploymentArn: ARN, stopType: 'ROLLBACK' }]);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0]!.args[0].input).toMatchObject({ cluster: 'berth-shop-prod', service: 'berth-shop-prod' });
    expect(p.stored.get(5)).toMatchObject({ status: 'rolled-back', reason: expect.stringContaining('ECS returned traffic to release 4') });
    expect(p.stored.get(4)?.status).toBe('deployed');
  });

  it('does nothing when no deployment is in flight, or the strategy is rolling (the usual rollback redeploys)', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    expect(await returnTrafficInFlight(ports(), { timeoutSeconds: 600 })).toBeUndefined();
    expect(await returnTrafficInFlight(ports({ ...BLUE_GREEN, strategy: 'rolling' }), { timeoutSeconds: 600 })).toBeUndefined();
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('refuses --to another release while a deploy is in flight, with the command that returns traffic', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'IN_PROGRESS', createdAt: new Date() }] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }] });
    await expect(returnTrafficInFlight(ports(), { to: 2, timeoutSeconds: 600 })).rejects.toThrow(/blue-green deploy is in flight in prod: release 4 still runs beside it, and --to 2 is another release/);
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('says when ECS could not return traffic, and exits not ok', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'IN_PROGRESS', createdAt: new Date() }] });
    ecs.on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }] })
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'ROLLBACK_FAILED', statusReason: 'the listener rule was changed outside ECS' }] });
    ecs.on(StopServiceDeploymentCommand).resolves({});
    const p = ports();
    const outcome = await returnTrafficInFlight(p, { timeoutSeconds: 600 });
    expect(outcome).toMatchObject({ ok: false, reasons: ['web: ECS could not return traffic to the old set: the listener rule was changed outside ECS'] });
    expect(p.stored.get(5)?.status).toBe('deploying');
  });
});

describe('describePhase', () => {
  it('names a canary share and its time while production traffic shifts', () => {
    expect(describePhase({ arn: ARN, status: 'IN_PROGRESS', stage: 'PRODUCTION_TRAFFIC_SHIFT' }, { strategy: 'canary', bake: 300, canary: { percent: 20, for: 600 } }, 'prod'))
      .toBe('shifting: 20% of requests on the new set for 10m, then all of them');
    expect(describePhase({ arn: ARN, status: 'ROLLBACK_IN_PROGRESS', reason: 'alarm berth-shop-prod-5xx-rate in ALARM' }, BLUE_GREEN, 'prod'))
      .toBe('rolling back: production traffic returns to the old set (ROLLBACK_IN_PROGRESS: alarm berth-shop-prod-5xx-rate in ALARM)');
  });
});

describe('target health of a blue/green service', () => {
  it('reads both target groups: after a switch the tasks are in the second one', async () => {
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: 'tg-blue' }).resolves({ TargetHealthDescriptions: [] });
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: 'tg-green' }).resolves({ TargetHealthDescriptions: [
      { Target: { Id: '10.0.1.4', Port: 8000 }, TargetHealth: { State: 'healthy' } }, { Target: { Id: '10.0.2.9', Port: 8000 }, TargetHealth: { State: 'healthy' } },
    ] });
    const outputs = { ClusterName: 'berth-shop-prod', TargetGroupArn: 'tg-blue', AlternateTargetGroupArn: 'tg-green' };
    const scope = serviceScopes(ports().config, outputs).find((candidate) => candidate.name === 'web')!;
    expect(scope.alternateTargetGroupArn).toBe('tg-green');
    const clients = { elb: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }) } as unknown as ConstructorParameters<typeof EnvironmentReader>[0];
    const reader = new EnvironmentReader(clients, outputs, { ecsService: 'berth-shop-prod', targetGroupArn: scope.targetGroupArn!, alternateTargetGroupArn: scope.alternateTargetGroupArn! });
    expect((await reader.targets())?.map((target) => [target.id, target.state])).toEqual([['10.0.1.4:8000', 'healthy'], ['10.0.2.9:8000', 'healthy']]);
  });
});
