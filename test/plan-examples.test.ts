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

function expectSameLogicalIds(example: string, env: string, templatePath: string): void {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, unknown>; Outputs?: Record<string, unknown> };
  const before = LOGICAL_IDS[`${example}-${env}`]!;
  expect(Object.keys(template.Resources).sort()).toEqual(before.resources);
  expect(Object.keys(template.Outputs ?? {}).sort()).toEqual(before.outputs);
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

describe('examples', () => {
  it('declares every AWS environment planned here', () => {
    for (const example of ['flask-hello', 'radio', 'streamboard', 'consultation', 'news-api']) {
      const config = loadConfig({ config: join(EXAMPLES, example, 'berth.yml') });
      const aws = config.environments.filter((env) => env !== 'local').map((env) => [example, env]);
      expect(PLANS.filter(([name]) => name === example)).toEqual(aws);
    }
  });

  it.each(PLANS)('%s (%s) plans clean', async (example, env) => {
    const config = loadConfig({ config: join(EXAMPLES, example, 'berth.yml'), env });
    const result = await synthesizeEnvironment(config, { outdir: mkdtempSync(join(tmpdir(), `berth-plan-${example}-`)) });
    expect(result.nagFindings).toEqual([]);
    expect(result.validationFindings).toEqual([]);
    expect(result.stackNames).toEqual([`berth-${example}-registry`, `berth-${example}-${env}`]);
    expect(result.resources['AWS::EC2::NatGateway']).toBeUndefined();
    expect(result.stack.outputs).toEqual(expect.arrayContaining(['LogGroupName', 'ClusterName', 'ServiceName']));
    expect(result.registryStack.outputs).toContain('RepositoryUri');
    for (const template of result.templates) expect(readFileSync(template, 'utf8')).not.toMatch(/"(MasterUserPassword|Password)":"[^{]/);
    expectSameLogicalIds(example, env, result.stack.template);
  });

  it('news-api prod: Multi-AZ database, autoscaling 2-10 at 70% CPU, DATABASE_URL as a secret', async () => {
    const config = loadConfig({ config: join(EXAMPLES, 'news-api', 'berth.yml'), env: 'prod' });
    const result = await synthesizeEnvironment(config, { outdir: mkdtempSync(join(tmpdir(), 'berth-plan-news-')) });
    const template = JSON.parse(readFileSync(result.stack.template, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const of = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type).map((resource) => resource.Properties);
    expect(of('AWS::RDS::DBInstance')[0]).toMatchObject({ MultiAZ: true, DeletionProtection: true });
    expect(of('AWS::ApplicationAutoScaling::ScalableTarget')[0]).toMatchObject({ MinCapacity: 2, MaxCapacity: 10 });
    expect(JSON.stringify(of('AWS::ApplicationAutoScaling::ScalingPolicy'))).toContain('"TargetValue":70');
    expect(result.summary.environment).toEqual(expect.arrayContaining([
      { name: 'DATABASE_URL', kind: 'secret', from: expect.any(String) },
      { name: 'REDIS_URL', kind: 'plain', from: expect.any(String) },
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
});
