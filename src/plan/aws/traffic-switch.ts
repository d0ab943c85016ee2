/**
 * Blue/green and canary deploys on ECS (berth.yml `deploy`): ECS's own BLUE_GREEN and CANARY deployment strategies
 * (aws-cdk-lib 2.274 has both), with the bake time, the second target group, the production and test listener rules
 * (load-balancer.ts) and the infrastructure role ECS moves the rules' weights with. Workers keep rolling.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { DeployStrategy } from '../../config/model.js';
import { trafficSwitchIds } from '../../model/index.js';
import type { TrafficSwitchRules } from './load-balancer.js';
import type { BerthService } from './service.js';

/** The FargateService properties of a set-switching deploy. */
export interface SetSwitchDeployment {
  readonly deploymentStrategy: ecs.DeploymentStrategy;
  /** How long ECS keeps the old set after the new one has all production traffic; `berth rollback` returns to it at once. */
  readonly bakeTime: Duration;
  /** CANARY: the share of production traffic the new set takes first and for how long. */
  readonly canaryConfiguration?: ecs.TrafficShiftConfig;
}

/** ECS's deployment settings for berth.yml's strategy; undefined for rolling (ECS's default, as before). */
export function setSwitchDeployment(deploy: DeployStrategy): SetSwitchDeployment | undefined {
  if (deploy.strategy === 'rolling') return undefined;
  // Whole minutes: deploy-checks.ts refuses other values in AWS environments.
  const bakeTime = Duration.minutes(deploy.bake / 60);
  if (deploy.strategy === 'blue-green') return { deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN, bakeTime };
  return {
    deploymentStrategy: ecs.DeploymentStrategy.CANARY,
    bakeTime,
    canaryConfiguration: { stepPercent: deploy.canary.percent, stepBakeTime: Duration.minutes(deploy.canary.for / 60) },
  };
}

/**
 * Registers the service's tasks in its target group with the second target group as ECS's alternate, the production
 * and test listener rules, and a role that lets ECS change those rules and register targets.
 */
export function attachWithAlternateTarget(created: BerthService, targetGroup: elbv2.ApplicationTargetGroup, rules: TrafficSwitchRules, port: number, targetGroupId: string): void {
  const ids = trafficSwitchIds(targetGroupId);
  // Cost: IAM roles are free.
  const role = new iam.Role(created, ids.role, {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: `ECS moves ${created.names.ecsService}'s traffic between its two target groups (blue/green, canary)`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers')],
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
    reason: 'AmazonECSInfrastructureRolePolicyForLoadBalancers is the policy AWS maintains for ECS blue/green and canary deployments (modify listener rules, register targets); it follows ECS as it gains steps.',
  });
  created.service
    .loadBalancerTarget({
      containerName: created.container.containerName,
      containerPort: port,
      alternateTarget: new ecs.AlternateTarget(ids.alternateTarget, {
        alternateTargetGroup: rules.alternateTargetGroup,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rules.production),
        testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rules.test),
        role,
      }),
    })
    .attachToApplicationTargetGroup(targetGroup);
  // ECS reads both rules when the service is created or updated.
  created.service.node.addDependency(rules.production, rules.test);
}
