import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { PLACEHOLDER_DIGEST } from '../../model/index.js';
import { EnvironmentStack } from './environment-stack.js';
import { postgresMaxConnections } from './observability.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/shop@sha256:' + 'ab'.repeat(32);
const FILE = `
app: shop
region: us-east-1
service:
  port: 8000
  image: ${IMAGE}
  health: { path: /health }
  count: 2
database: postgres
cache: redis
alarms: { email: ops@example.com }
environments:
  prod:
    alarms: { latencyP99: 500ms, dashboard: true }
  staging:
    database: false
    cache: false
  night:
    database: false
    cache: false
    service: { count: { min: 1, max: 1, schedule: [{ cron: "0 20 * * *", min: 0, max: 0 }] } }
  solo:
    database: false
    cache: false
    service: { loadBalancer: false, count: 1 }
`;

type Resource = { Properties: Record<string, unknown> };
let prod: Template;
let staging: Template;
let night: Template;
let solo: Template;
process.env.CDK_VALIDATION = 'false';

beforeAll(() => {
  const make = (env: string) => Template.fromStack(new EnvironmentStack(new App(), { config: configFromYaml(FILE, env), placeholderDigest: PLACEHOLDER_DIGEST }));
  prod = make('prod');
  staging = make('staging');
  night = make('night');
  solo = make('solo');
}, 180_000);

function alarms(template: Template): Record<string, Resource['Properties']> {
  return Object.fromEntries(Object.values(template.findResources("AWS::CloudWatch::Alarm") as Record<string, Resource>).map((alarm) => [alarm.Properties.AlarmName as string, alarm.Properties]));
}

describe('alarms', () => {
  it('cover outages, errors, latency, saturation, the database and the cache, each notifying the topic on alarm and recovery', () => {
    const byName = alarms(prod);
    expect(Object.keys(byName).sort()).toEqual([
      'berth-shop-prod-5xx-rate', 'berth-shop-prod-cache-evictions', 'berth-shop-prod-cache-memory', 'berth-shop-prod-cpu',
      'berth-shop-prod-db-connections', 'berth-shop-prod-db-cpu', 'berth-shop-prod-db-free-storage',
      'berth-shop-prod-healthy-targets', 'berth-shop-prod-latency-p99', 'berth-shop-prod-lb-5xx-rate', 'berth-shop-prod-memory', 'berth-shop-prod-running-tasks',
    ]);
    for (const alarm of Object.values(byName)) {
      expect(JSON.stringify(alarm.AlarmActions)).toContain('AlarmsTopic');
      expect(JSON.stringify(alarm.OKActions)).toContain('AlarmsTopic');
      expect(String(alarm.AlarmDescription).length).toBeGreaterThan(60);
    }
    prod.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('alarm when no target is healthy for 2 minutes and when fewer tasks run than desired for 5', () => {
    const byName = alarms(prod);
    expect(byName['berth-shop-prod-healthy-targets']).toMatchObject({ MetricName: 'HealthyHostCount', Statistic: 'Minimum', Period: 60, EvaluationPeriods: 2, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(byName['berth-shop-prod-healthy-targets']!.AlarmDescription).toMatch(/no healthy target .* berth rollback --env prod/);
    const running = byName['berth-shop-prod-running-tasks']!;
    expect(running).toMatchObject({ EvaluationPeriods: 5, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching' });
    expect(JSON.stringify(running.Metrics)).toContain('"Expression":"FILL(desired, 0) - FILL(running, 0)"');
    expect(JSON.stringify(running.Metrics)).toContain('"MetricName":"RunningTaskCount","Namespace":"ECS/ContainerInsights"');
    // Without Container Insights (staging): the tasks reporting CPU, against the service's minimum.
    expect(JSON.stringify(alarms(staging)['berth-shop-staging-running-tasks']!.Metrics)).toMatch(/"Expression":"2 - FILL\(reporting, 0\)".*"Stat":"SampleCount"/);
  });

  it('alarm on the load balancer\'s and the app\'s 5xx answers over 1% of requests, as metric math', () => {
    const byName = alarms(prod);
    for (const [name, metric] of [['berth-shop-prod-lb-5xx-rate', 'HTTPCode_ELB_5XX_Count'], ['berth-shop-prod-5xx-rate', 'HTTPCode_Target_5XX_Count']] as const) {
      const alarm = byName[name]!;
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
      const text = JSON.stringify(alarm.Metrics);
      expect(text).toContain('IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)');
      expect(text).toContain(`"MetricName":"${metric}"`);
      expect(text).toContain('"MetricName":"RequestCount"');
    }
  });

  it('alarm on the p99 response time over the configured threshold (500ms in prod, 2 s by default)', () => {
    expect(alarms(prod)['berth-shop-prod-latency-p99']).toMatchObject({ MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Threshold: 0.5, EvaluationPeriods: 5 });
    expect(alarms(staging)['berth-shop-staging-latency-p99']).toMatchObject({ Threshold: 2 });
  });

  it('alarm on database CPU, free storage and connections, and cache memory and evictions', () => {
    const byName = alarms(prod);
    expect(byName['berth-shop-prod-db-cpu']).toMatchObject({ MetricName: 'CPUUtilization', Namespace: 'AWS/RDS', Threshold: 80 });
    // 20 GiB that may grow to 100: the alarm means autoscaling could not keep up (5% of 20 GiB).
    expect(byName['berth-shop-prod-db-free-storage']).toMatchObject({ MetricName: 'FreeStorageSpace', Threshold: Math.round(0.05 * 20 * 1024 ** 3), ComparisonOperator: 'LessThanThreshold' });
    expect(byName['berth-shop-prod-db-connections']).toMatchObject({ MetricName: 'DatabaseConnections', Threshold: 67 });
    expect(byName['berth-shop-prod-cache-memory']).toMatchObject({ MetricName: 'DatabaseMemoryUsagePercentage', Namespace: 'AWS/ElastiCache', Threshold: 80 });
    expect(JSON.stringify(byName['berth-shop-prod-cache-evictions']!.Dimensions)).toContain('-001');
    expect([postgresMaxConnections('db.t4g.micro'), postgresMaxConnections('db.m7g.large'), postgresMaxConnections('db.r6g.large'), postgresMaxConnections('custom')]).toEqual([84, 675, 1351, undefined]);
  });

  it('leave out the outage alarms of a service that sleeps at night, and keep the others', () => {
    const names = Object.keys(alarms(night));
    expect(names).not.toContain('berth-shop-night-healthy-targets');
    expect(names).not.toContain('berth-shop-night-running-tasks');
    expect(names).toContain('berth-shop-night-5xx-rate');
  });
});

describe('deployment alarms', () => {
  it('roll a deploy back when the new release raises the error rate or the latency', () => {
    prod.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: ['berth-shop-prod-5xx-rate', 'berth-shop-prod-latency-p99'], Enable: true, Rollback: true } }),
    });
  });

  it('use the running-tasks alarm for a service without a load balancer', () => {
    solo.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: ['berth-shop-solo-running-tasks'], Enable: true, Rollback: true } }),
    });
  });
});

describe('dashboard', () => {
  it('exists only when asked for', () => {
    prod.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    prod.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'berth-shop-prod' });
    staging.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});
