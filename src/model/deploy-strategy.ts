/**
 * Names and rules of blue/green and canary deploys (berth.yml `deploy`), the same on AWS and locally: which services
 * switch between two sets of tasks, how test requests reach the new set, and the ids of the pieces that carry them.
 */
import type { DeployStrategy, DeployStrategyName, ResolvedConfig, ServiceSpec } from '../config/model.js';

/** A request carrying this header (with TEST_TRAFFIC_VALUE) reaches the new set on AWS before production traffic does. */
export const TEST_TRAFFIC_HEADER = 'x-berth-test-traffic';
export const TEST_TRAFFIC_VALUE = 'green';

/** The production listener rule of the web service that answers every other request (no path or host): the last rule ALB allows. */
export const CATCH_ALL_RULE_PRIORITY = 50000;

/** The test listener rule sits just before the production rule it copies (rules are PRIORITY_STEP apart). */
export function testRulePriority(productionPriority: number): number {
  return productionPriority - 1;
}

/** Whether a service moves between two sets of tasks on the load balancer (blue-green, canary) or rolls. */
export function switchesTrafficSets(config: Pick<ResolvedConfig, 'deploy'>, service: ServiceSpec): boolean {
  return config.deploy.strategy !== 'rolling' && service.kind === 'web' && service.loadBalancer;
}

/** CDK construct ids beside a web service's target group `TargetGroup<Suffix>` and listener rule `Route<Suffix>`. */
export function trafficSwitchIds(targetGroupId: string): { alternateTargetGroup: string; route: string; testRoute: string; role: string; alternateTarget: string } {
  const suffix = targetGroupId.replace(/^TargetGroup/, '');
  return {
    alternateTargetGroup: `${targetGroupId}Alternate`,
    route: `Route${suffix}`,
    testRoute: `TestRoute${suffix}`,
    role: 'TrafficSwitchRole',
    alternateTarget: 'AlternateTarget',
  };
}

/** The strategy in words for plan and diff: "blue-green (bake 5m)", "canary 10% for 5m (bake 5m)", "rolling". */
export function describeDeployStrategy(deploy: DeployStrategy): string {
  const time = (seconds: number) => (seconds % 3600 === 0 && seconds > 0 ? `${seconds / 3600}h` : seconds % 60 === 0 && seconds > 0 ? `${seconds / 60}m` : `${seconds}s`);
  if (deploy.strategy === 'rolling') return 'rolling';
  if (deploy.strategy === 'blue-green') return `blue-green (bake ${time(deploy.bake)})`;
  return `canary ${deploy.canary.percent}% for ${time(deploy.canary.for)} (bake ${time(deploy.bake)})`;
}

/** The local balancer's test listener: 127.0.0.1:<balancer port + 1> (- 1 at 65535) reaches the new set only, while it is being checked. */
export function localTestPort(balancerPort: number): number {
  return balancerPort < 65535 ? balancerPort + 1 : balancerPort - 1;
}

/** The strategy as plan, diff and --json show it (docs/json-output.md). */
export interface DeployStrategyPlan {
  strategy: DeployStrategyName;
  /** "blue-green (bake 5m)". */
  description: string;
  /** Seconds the old set stays ready after the switch; absent for rolling. */
  bakeSeconds?: number;
  canary?: { percent: number; forSeconds: number };
  /** The services that switch between two sets (web services behind the load balancer); the others roll. */
  switching: string[];
  rolling: string[];
}

export function deployStrategyPlan(config: Pick<ResolvedConfig, 'deploy' | 'services'>): DeployStrategyPlan {
  const longRunning = config.services.filter((service) => service.kind !== 'job');
  const switching = longRunning.filter((service) => switchesTrafficSets(config, service)).map((service) => service.name);
  return {
    strategy: config.deploy.strategy,
    description: describeDeployStrategy(config.deploy),
    ...(config.deploy.strategy !== 'rolling' ? { bakeSeconds: config.deploy.bake } : {}),
    ...(config.deploy.strategy === 'canary' ? { canary: { percent: config.deploy.canary.percent, forSeconds: config.deploy.canary.for } } : {}),
    switching,
    rolling: longRunning.map((service) => service.name).filter((name) => !switching.includes(name)),
  };
}
