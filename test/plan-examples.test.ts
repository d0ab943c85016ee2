/** Every example's AWS environments synthesize with no unacknowledged cdk-nag finding and a clean CloudFormation check. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { synthesizeEnvironment } from '../src/plan/aws/synthesize.js';

const EXAMPLES = resolve(import.meta.dirname, '..', 'examples');
/**
 * The logical ids every example's environment stack had before berth realized many services (main at 1c26f46):
 * the service named web keeps them all, so these stacks update in place instead of replacing their resources.
 */
const LOGICAL_IDS = JSON.parse(readFileSync(resolve(import.meta.dirname, 'fixtures', 'logical-ids-before-services.json'), 'utf8')) as Record<string, { resources: string[]; outputs: string[] }>;

/**
 * Resources the production hardening (issue 12) replaced on purpose, each stateless: the alarm on unhealthy targets
 * became the one on no healthy target (AlarmsHealthyTargets), and the load balancer's ingress from the internet became
 * CloudFront's prefix list where CloudFront serves https:// (LoadBalancerCloudFront*).
 */
const REPLACED = [/^AlarmsUnhealthyTargets/];

/** Every resource and output the environment had keeps its logical id (new ones may be added). */
function expectSameLogicalIds(example: string, env: string, templatePath: string): void {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, unknown>; Outputs?: Record<string, unknown> };
  const before = LOGICAL_IDS[`${example}-${env}`]!;
  const kept = before.resources.filter((id) => !REPLACED.some((pattern) => pattern.test(id)));
  expect(Object.keys(template.Resources)).toEqual(expect.arrayContaining(kept));
  expect(Object.keys(template.Outputs ?? {})).toEqual(expect.arrayContaining(before.outputs));
}
const PLANS: Array<[string, string]> = [
  ['flask-hello', 'prod'],
  ['radio', 'prod'],
  ['streamboard', 'dev'],
  ['streamboard', 'prod'],
  ['consultation', 'prod'],
  ['news-api', 'staging'],
  ['news-api', 'prod'],
];

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>; Outputs?: Record<string, { Value: unknown }> };
const synthesized = new Map<string, Promise<Awaited<ReturnType<typeof synthesizeEnvironment>>>>();

/** One synthesis per example and environment for this file. */
function synth(example: string, env: string) {
  const key = `${example}-${env}`;
  let result = synthesized.get(key);
  if (!result) {
    const config = loadConfig({ config: join(EXAMPLES, example, 'berth.yml'), env });
    result = synthesizeEnvironment(config, { outdir: mkdtempSync(join(tmpdir(), `berth-plan-${example}-`)) });
    synthesized.set(key, result);
  }
  return result;
}

function readStack(path: string): Template {
  return JSON.parse(readFileSync(path, 'utf8')) as Template;
}

describe('examples', () => {
  it('declares every AWS environment planned here', () => {
    for (const example of ['flask-hello', 'radio', 'streamboard', 'consultation', 'news-api']) {
      const config = loadConfig({ config: join(EXAMPLES, example, 'berth.yml') });
      const aws = config.environments.filter((env) => env !== 'local').map((env) => [example, env]);
      expect(PLANS.filter(([name]) => name === example)).toEqual(aws);
    }
  });

  it.each(PLANS)('%s (%s) plans clean', async (example, env) => {
    const result = await synth(example, env);
    expect(result.nagFindings).toEqual([]);
    expect(result.validationFindings).toEqual([]);
    expect(result.stackNames).toEqual([`berth-${example}-registry`, `berth-${example}-${env}`]);
    expect(result.resources['AWS::EC2::NatGateway']).toBeUndefined();
    expect(result.stack.outputs).toEqual(expect.arrayContaining(['LogGroupName', 'ClusterName', 'ServiceName']));
    expect(result.registryStack.outputs).toContain('RepositoryUri');
    for (const template of result.templates) expect(readFileSync(template, 'utf8')).not.toMatch(/"(MasterUserPassword|Password)":"[^{]/);
    expectSameLogicalIds(example, env, result.stack.template);
  });

  it('news-api prod: Multi-AZ database, autoscaling 2-10 at 70% CPU, DATABASE_URL and REDIS_URL as secrets', async () => {
    const config = loadConfig({ config: join(EXAMPLES, 'news-api', 'berth.yml'), env: 'prod' });
    const result = await synthesizeEnvironment(config, { outdir: mkdtempSync(join(tmpdir(), 'berth-plan-news-')) });
    const template = JSON.parse(readFileSync(result.stack.template, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const of = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type).map((resource) => resource.Properties);
    expect(of('AWS::RDS::DBInstance')[0]).toMatchObject({ MultiAZ: true, DeletionProtection: true });
    expect(of('AWS::ApplicationAutoScaling::ScalableTarget')[0]).toMatchObject({ MinCapacity: 2, MaxCapacity: 10 });
    expect(JSON.stringify(of('AWS::ApplicationAutoScaling::ScalingPolicy'))).toContain('"TargetValue":70');
    expect(result.summary.environment).toEqual(expect.arrayContaining([
      { name: 'DATABASE_URL', kind: 'secret', from: expect.any(String) },
      { name: 'REDIS_URL', kind: 'secret', from: expect.any(String) },
    ]));
  });

  it('news-api pr-12, made from the preview template: Spot, single-AZ, no deletion protection, asleep at night, clean', async () => {
    const config = loadConfig({ config: join(EXAMPLES, 'news-api', 'berth.yml'), env: 'pr-12' });
    const result = await synthesizeEnvironment(config, { outdir: mkdtempSync(join(tmpdir(), 'berth-plan-news-pr-')) });
    expect(result.nagFindings).toEqual([]);
    expect(result.validationFindings).toEqual([]);
    expect(result.stackNames).toEqual(['berth-news-api-registry', 'berth-news-api-pr-12']);
    expectSameLogicalIds('news-api', 'pr-12', result.stack.template);
    const template = JSON.parse(readFileSync(result.stack.template, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const of = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type).map((resource) => resource.Properties);
    expect(of('AWS::RDS::DBInstance')[0]).toMatchObject({ MultiAZ: false, DeletionProtection: false });
    expect(JSON.stringify(of('AWS::ECS::Service')[0])).toContain('FARGATE_SPOT');
    expect(result.summary.schedules).toEqual([
      { service: 'web', name: 'night', cron: '0 20 * * *', awsCron: 'cron(0 20 * * ? *)', min: 0, max: 0 },
      { service: 'web', name: 'morning', cron: '0 7 * * 1-5', awsCron: 'cron(0 7 ? * MON-FRI *)', min: 1, max: 1 },
    ]);
  });

  // Issue 12: every production example behind a load balancer (all but radio, which has none and alarms: false).
  const PROD_BEHIND_LOAD_BALANCER = ['flask-hello', 'streamboard', 'consultation', 'news-api'];

  it.each(PROD_BEHIND_LOAD_BALANCER)('%s (prod) serves https:// through CloudFront, which alone reaches the load balancer', async (example) => {
    const result = await synth(example, 'prod');
    const template = readStack(result.stack.template);
    const of = (type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
    const [[distributionId]] = of('AWS::CloudFront::Distribution') as [[string, unknown]];
    expect(template.Outputs!.Url!.Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] });
    // The load balancer's only ingress: CloudFront's origin-facing prefix list of the region, on port 80.
    const groups = of('AWS::EC2::SecurityGroup').filter(([id]) => /^LoadBalancerSecurityGroup[0-9A-F]{8}$/.test(id));
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0]!;
    const ingress = [
      ...((group.Properties.SecurityGroupIngress as unknown[] | undefined) ?? []),
      ...of('AWS::EC2::SecurityGroupIngress').map(([, rule]) => rule.Properties).filter((rule) => JSON.stringify(rule.GroupId).includes(`"${groupId}"`)),
    ];
    expect(ingress).toEqual([expect.objectContaining({ SourcePrefixListId: expect.stringMatching(/^pl-[0-9a-f]+$/), FromPort: 80, ToPort: 80 })]);
    // Requests without CloudFront's secret header get 403; every forwarding rule requires it.
    const listeners = of('AWS::ElasticLoadBalancingV2::Listener');
    expect(listeners).toHaveLength(1);
    expect(listeners[0]![1].Properties.DefaultActions).toEqual([expect.objectContaining({ Type: 'fixed-response', FixedResponseConfig: expect.objectContaining({ StatusCode: '403' }) })]);
    const rules = of('AWS::ElasticLoadBalancingV2::ListenerRule').map(([, rule]) => JSON.stringify(rule.Properties.Conditions));
    expect(rules.length).toBeGreaterThan(0);
    for (const conditions of rules) expect(conditions).toMatch(/"Field":"http-header","HttpHeaderConfig":\{"HttpHeaderName":"X-Origin-Verify","Values":\[\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:",\{"Ref":"LoadBalancerCloudFrontOriginSecret/);
    expect(result.summary.endpoints[0]!.value).toMatch(/^https:\/\/<id>\.cloudfront\.net/);
  });

  it.each(PROD_BEHIND_LOAD_BALANCER)('%s (prod) alarms on an outage, notifies the topic and rolls a deploy back on its alarms', async (example) => {
    const result = await synth(example, 'prod');
    const template = readStack(result.stack.template);
    const alarms = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm').map((alarm) => alarm.Properties);
    const names = alarms.map((alarm) => alarm.AlarmName as string);
    for (const what of ['healthy-targets', 'running-tasks', '5xx-rate', 'lb-5xx-rate', 'latency-p99']) expect(names).toContain(`berth-${example}-prod-${what}`);
    for (const alarm of alarms) expect(JSON.stringify(alarm.AlarmActions)).toContain('AlarmsTopic');
    for (const service of Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::ECS::Service')) {
      expect(service.Properties.DeploymentConfiguration).toMatchObject({ Alarms: { Enable: true, Rollback: true, AlarmNames: expect.arrayContaining([expect.stringMatching(/-(5xx-rate|latency-p99|running-tasks)$/)]) } });
    }
  });
});
