/** berth.yml `deploy` on AWS: ECS's BLUE_GREEN and CANARY strategies, two target groups, production and test listener rules. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { loadPriceTable } from '../cost/price-table.js';
import { priceTemplates } from '../cost/price-template.js';
import type { CfnTemplate } from '../cost/template.js';
import { DEFAULT_USAGE } from '../cost/usage.js';
import { synthesizeEnvironment, type SynthResult } from './synthesize.js';

// Template JSON is read loosely: these tests assert on its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type Resources = Record<string, { Type: string; Properties: Record<string, Loose>; DependsOn?: string[] }>;

const SHOP = `
app: shop
service: { port: 8000, image: example/shop:1, health: { path: /health } }
environments:
  prod:
    service: { count: 4, cpu: 1024, memory: 2048 }
    deploy: { strategy: blue-green, bake: 10m }
`;

const MANY = readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'many-services', 'berth.yml'), 'utf8')
  .replace('region: us-east-1', 'region: us-east-1\nimage: 123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/news@sha256:' + 'ab'.repeat(32))
  .replace('  prod:\n', '  prod:\n    deploy: { strategy: canary, bake: 3m, canary: { percent: 20, for: 4m } }\n');

async function synth(yaml: string, env: string): Promise<{ result: SynthResult; resources: Resources; template: CfnTemplate; outputs: Record<string, { Value: Loose }> }> {
  const result = await synthesizeEnvironment(configFromYaml(yaml, env), { outdir: mkdtempSync(join(tmpdir(), 'berth-switch-')) });
  const template = JSON.parse(readFileSync(result.stack.template, 'utf8')) as CfnTemplate & { Resources: Resources; Outputs: Record<string, { Value: Loose }> };
  return { result, resources: template.Resources, template, outputs: template.Outputs };
}

const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const ecsService = (resources: Resources, name: string) => ofType(resources, 'AWS::ECS::Service').find(([, resource]) => resource.Properties.ServiceName === name)!;
const rules = (resources: Resources) => ofType(resources, 'AWS::ElasticLoadBalancingV2::ListenerRule');
const ref = (logicalId: string) => ({ Ref: logicalId });

/** The condition every listener rule carries behind CloudFront (cloudfront.ts): its secret origin header. */
const ORIGIN_CONDITION = { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [{ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: expect.stringMatching(/^LoadBalancerCloudFrontOriginSecret/) }, ':SecretString:::}}']] }] } };
const TEST_CONDITION = { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-berth-test-traffic', Values: ['green'] } };
const withoutCloudFront = (yaml: string) => yaml.replace('    deploy:', '    https: false\n    deploy:');

let rolling: Awaited<ReturnType<typeof synth>>;
let prod: Awaited<ReturnType<typeof synth>>;
let many: Awaited<ReturnType<typeof synth>>;
let rollingDirect: Awaited<ReturnType<typeof synth>>;
let direct: Awaited<ReturnType<typeof synth>>;

beforeAll(async () => {
  rolling = await synth(SHOP.replace(/ {4}deploy: .*\n/, ''), 'prod');
  prod = await synth(SHOP, 'prod');
  many = await synth(MANY, 'prod');
  rollingDirect = await synth(withoutCloudFront(SHOP).replace(/ {4}deploy: .*\n/, ''), 'prod');
  direct = await synth(withoutCloudFront(SHOP), 'prod');
}, 240_000);

describe('deploy.strategy: blue-green', () => {
  it('synthesizes cdk-nag clean and passes the CloudFormation resource check', () => {
    expect(prod.result.nagFindings).toEqual([]);
    expect(prod.result.validationFindings).toEqual([]);
    expect(many.result.nagFindings).toEqual([]);
    expect(many.result.validationFindings).toEqual([]);
    expect(direct.result.nagFindings).toEqual([]);
    expect(direct.result.validationFindings).toEqual([]);
  });

  it("gives the ECS service ECS's BLUE_GREEN strategy with the bake time, and rolling stays as it was", () => {
    const [, service] = ecsService(prod.resources, 'berth-shop-prod');
    expect(service.Properties.DeploymentConfiguration).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 10 });
    const [, before] = ecsService(rolling.resources, 'berth-shop-prod');
    expect(before.Properties.DeploymentConfiguration.Strategy).toBeUndefined();
    expect(before.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
  });

  it('has two target groups, and the service names the second with the production and test listener rules', () => {
    const groups = ofType(prod.resources, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([id]) => id);
    expect(groups).toHaveLength(2);
    const [, service] = ecsService(prod.resources, 'berth-shop-prod');
    const [attachment] = service.Properties.LoadBalancers as Loose[];
    const advanced = attachment.AdvancedConfiguration;
    const primary = groups.find((id) => JSON.stringify(attachment.TargetGroupArn) === JSON.stringify(ref(id)))!;
    const alternate = groups.find((id) => id !== primary)!;
    expect(primary).toMatch(/^LoadBalancerTargetGroup[0-9A-F]{8}$/);
    expect(advanced.AlternateTargetGroupArn).toEqual(ref(alternate));
    const [[productionId, production], [testId, test]] = [...rules(prod.resources)].sort(([, a], [, b]) => b.Properties.Priority - a.Properties.Priority) as [[string, Loose], [string, Loose]];
    expect(advanced.ProductionListenerRule).toEqual(ref(productionId));
    expect(advanced.TestListenerRule).toEqual(ref(testId));
    expect(advanced.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/TrafficSwitchRole/), 'Arn'] });
    // Behind CloudFront (production's default) the default route is the rule that needs the origin header; ECS reweighs
    // it, and the test rule needs the test header as well. A request without the origin header reaches neither set.
    expect(productionId).toMatch(/^LoadBalancerHttpRouteDefaultRule/);
    expect(production.Properties).toEqual(expect.objectContaining({ Priority: 50000, Conditions: [ORIGIN_CONDITION] }));
    expect(test.Properties.Priority).toBe(49999);
    expect(test.Properties.Conditions).toEqual([ORIGIN_CONDITION, TEST_CONDITION]);
    for (const rule of [production, test]) {
      expect(rule.Properties.Actions[0].ForwardConfig.TargetGroups).toEqual([{ TargetGroupArn: ref(primary), Weight: 100 }, { TargetGroupArn: ref(alternate), Weight: 0 }]);
    }
  });

  it('without CloudFront (https: false) the default route becomes a catch-all /* rule, the test rule the same with the header', () => {
    const [[, production], [, test]] = [...rules(direct.resources)].sort(([, a], [, b]) => b.Properties.Priority - a.Properties.Priority) as [[string, Loose], [string, Loose]];
    expect(rules(direct.resources)).toHaveLength(2);
    expect(production.Properties).toMatchObject({ Priority: 50000, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }] });
    expect(test.Properties).toMatchObject({ Priority: 49999, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }, TEST_CONDITION] });
  });

  it('CloudFront forwards the test header to the load balancer and caches nothing, so test requests through it reach the new set', () => {
    const [, distribution] = ofType(prod.resources, 'AWS::CloudFront::Distribution')[0]!;
    const behavior = distribution.Properties.DistributionConfig.DefaultCacheBehavior;
    // AWS's managed policies: AllViewerAndCloudFrontHeaders-2022-06 (every viewer header) and CachingDisabled.
    expect(behavior.OriginRequestPolicyId).toBe('33f36d7e-f396-46d9-90e0-52428a34d9dc');
    expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
  });

  it('names the second target group in the outputs, so deploy and status read the targets of both', () => {
    const [, service] = ecsService(prod.resources, 'berth-shop-prod');
    expect(prod.outputs.AlternateTargetGroupArn?.Value).toEqual(service.Properties.LoadBalancers[0].AdvancedConfiguration.AlternateTargetGroupArn);
    expect(rolling.outputs.AlternateTargetGroupArn).toBeUndefined();
    const api = ecsService(many.resources, 'berth-news-prod-api')[1].Properties.LoadBalancers[0].AdvancedConfiguration;
    expect(many.outputs.ServiceApiAlternateTargetGroupArn?.Value).toEqual(api.AlternateTargetGroupArn);
  });

  it('rolls the deployment back on the 5xx-rate and latency alarms, which watch both target groups', () => {
    const [, service] = ecsService(prod.resources, 'berth-shop-prod');
    expect(service.Properties.DeploymentConfiguration.Alarms).toEqual({ AlarmNames: ['berth-shop-prod-5xx-rate', 'berth-shop-prod-latency-p99'], Enable: true, Rollback: true });
    const groups = ofType(prod.resources, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([id]) => id);
    const alarm = (name: string) => ofType(prod.resources, 'AWS::CloudWatch::Alarm').find(([, resource]) => resource.Properties.AlarmName === name)![1];
    const watched = (name: string) => groups.filter((id) => JSON.stringify(alarm(name).Properties.Metrics).includes(`"${id}"`));
    for (const name of ['berth-shop-prod-5xx-rate', 'berth-shop-prod-latency-p99', 'berth-shop-prod-healthy-targets']) expect(watched(name), name).toEqual(groups);
    // The higher 5xx rate of the two groups: a failing new set alarms whichever group ECS started it in.
    const expression = alarm('berth-shop-prod-5xx-rate').Properties.Metrics.find((metric: Loose) => metric.ReturnData !== false).Expression;
    expect(expression).toBe('IF(IF(requests > 0, 100 * FILL(errors, 0) / requests, 0) > IF(requestsAlternate > 0, 100 * FILL(errorsAlternate, 0) / requestsAlternate, 0), IF(requests > 0, 100 * FILL(errors, 0) / requests, 0), IF(requestsAlternate > 0, 100 * FILL(errorsAlternate, 0) / requestsAlternate, 0))');
    // Healthy targets in either group count: after a switch the tasks are in the second one.
    expect(alarm('berth-shop-prod-healthy-targets').Properties.Metrics.find((metric: Loose) => metric.ReturnData !== false).Expression).toBe('FILL(healthy, 0) + FILL(healthyAlternate, 0)');
    // Rolling keeps one group and main's plain expression.
    const rollingAlarm = ofType(rolling.resources, 'AWS::CloudWatch::Alarm').find(([, resource]) => resource.Properties.AlarmName === 'berth-shop-prod-5xx-rate')![1];
    expect(rollingAlarm.Properties.Metrics.find((metric: Loose) => metric.ReturnData !== false).Expression).toBe('IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)');
  });

  it('tracks requests per target over both target groups, so autoscaling sees the traffic after every switch', async () => {
    const scaled = (yaml: string) => yaml.replace('count: 4', 'count: { min: 2, max: 8, requests: 300 }');
    const [blueGreen, rollingScaled] = await Promise.all([synth(scaled(SHOP), 'prod'), synth(scaled(SHOP).replace(/ {4}deploy: .*\n/, ''), 'prod')]);
    const policy = (resources: Resources) => ofType(resources, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, resource]) => resource.Properties.TargetTrackingScalingPolicyConfiguration)[0];
    const tracking = policy(blueGreen.resources);
    expect(tracking.TargetValue).toBe(300);
    expect(tracking.PredefinedMetricSpecification).toBeUndefined();
    const groups = ofType(blueGreen.resources, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([id]) => id);
    expect(groups).toHaveLength(2);
    const metrics = tracking.CustomizedMetricSpecification.Metrics as Loose[];
    for (const id of groups) {
      const onGroup = metrics.filter((metric) => JSON.stringify(metric.MetricStat?.Metric.Dimensions ?? []).includes(`"${id}"`)).map((metric) => metric.MetricStat.Metric.MetricName);
      expect(onGroup.sort(), id).toEqual(['HealthyHostCount', 'RequestCount']);
    }
    expect(metrics.filter((metric) => metric.ReturnData !== false).map((metric) => metric.Expression)).toEqual(['(FILL(requests, 0) + FILL(requestsalternate, 0)) / MAX([FILL(healthy, 0) + FILL(healthyalternate, 0), 1])']);
    // Rolling keeps the ALB's per-target metric of its one group.
    expect(policy(rollingScaled.resources).PredefinedMetricSpecification.PredefinedMetricType).toBe('ALBRequestCountPerTarget');
  }, 120_000);

  it('keeps every logical id of the rolling stack, so switching strategy updates the service in place', () => {
    for (const [before, after, added] of [[rolling, prod, 3], [rollingDirect, direct, 4]] as const) {
      const rollingIds = Object.keys(before.resources);
      const switchedIds = Object.keys(after.resources);
      expect(rollingIds.filter((id) => !switchedIds.includes(id))).toEqual([]);
      expect(ecsService(after.resources, 'berth-shop-prod')[0]).toBe(ecsService(before.resources, 'berth-shop-prod')[0]);
      // Behind CloudFront the default route's rule exists already and is reweighed in place: the second target group,
      // the test rule and the role are added; without CloudFront the catch-all rule is added as well.
      expect(switchedIds.length - rollingIds.length).toBe(added);
    }
  });
});

describe('deploy.strategy: canary with several services', () => {
  it("uses ECS's CANARY strategy with the share and its time on each web service; the worker keeps rolling", () => {
    for (const name of ['berth-news-prod', 'berth-news-prod-api']) {
      expect(ecsService(many.resources, name)[1].Properties.DeploymentConfiguration).toMatchObject({
        Strategy: 'CANARY', BakeTimeInMinutes: 3, CanaryConfiguration: { CanaryPercent: 20, CanaryBakeTimeInMinutes: 4 },
      });
    }
    expect(ecsService(many.resources, 'berth-news-prod-worker')[1].Properties.DeploymentConfiguration.Strategy).toBeUndefined();
    expect(ofType(many.resources, 'AWS::ElasticLoadBalancingV2::TargetGroup')).toHaveLength(4);
  });

  it('keeps the path rule of a routed service as its production rule and puts the test rule just before it', () => {
    const api = ecsService(many.resources, 'berth-news-prod-api')[1].Properties.LoadBalancers[0].AdvancedConfiguration;
    const production = many.resources[api.ProductionListenerRule.Ref]!;
    const test = many.resources[api.TestListenerRule.Ref]!;
    // Behind CloudFront both carry the origin header as every rule does.
    expect(production.Properties).toEqual(expect.objectContaining({ Priority: 10, Conditions: [ORIGIN_CONDITION, { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }] }));
    expect(test.Properties.Priority).toBe(9);
    expect(test.Properties.Conditions).toEqual([ORIGIN_CONDITION, { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }, TEST_CONDITION]);
  });
});

describe('cost of a blue/green or canary deploy', () => {
  const usEast1 = loadPriceTable('us-east-1');
  const price = (synthesized: Awaited<ReturnType<typeof synth>>) => priceTemplates([{ stack: synthesized.result.stack.name, template: synthesized.template }], usEast1, DEFAULT_USAGE);

  it('is a per-deploy note for the second set during the bake, never in the monthly total', () => {
    const switched = price(prod);
    const before = price(rolling);
    // Monthly, only the alarms' extra metrics of the second target group ($0.10 each): 5xx rate +2, latency +1, healthy targets +1.
    expect(Math.round((switched.monthly.min - before.monthly.min) * 100) / 100).toBe(0.4);
    expect(switched.monthly.max - switched.monthly.min).toBe(before.monthly.max - before.monthly.min);
    expect(before.deployNotes).toEqual([]);
    // 4 tasks of 1 vCPU / 2 GB ($0.04937 an hour each) for 10 minutes.
    expect(switched.deployNotes).toEqual([expect.objectContaining({
      strategy: 'BLUE_GREEN',
      perDeploy: { min: 0.03, max: 0.03 },
      basis: 'a second set of 4 tasks beside the first for the 10 min bake (plus its start): 4 tasks × 10 min × (1 vCPU × $0.04048 + 2 GB × $0.004445) per deploy',
    })]);
  });

  it('counts the canary time, and the most tasks autoscaling allows', () => {
    const notes = price(many).deployNotes;
    expect(notes.map((note) => note.strategy)).toEqual(['CANARY', 'CANARY']);
    const web = notes.find((note) => note.basis.startsWith('a second set of 2–6 tasks'))!;
    expect(web.basis).toContain('for the 4 min canary and the 3 min bake');
    expect(web.perDeploy.max).toBeGreaterThan(web.perDeploy.min);
  });
});
