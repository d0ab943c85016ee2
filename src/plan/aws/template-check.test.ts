import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTemplates } from './template-check.js';

function templateFile(resources: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'berth-template-check-')), 'stack.template.json');
  writeFileSync(path, JSON.stringify({ Resources: resources }));
  return path;
}

describe('checkTemplates', () => {
  it('accepts valid resources, intrinsic values included', async () => {
    const path = templateFile({
      Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'alarms' } },
      Group: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Join': ['', ['/berth/', { Ref: 'AWS::StackName' }]] }, RetentionInDays: 30 } },
      Target: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: { Port: 80, Protocol: 'HTTP', TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] },
      },
    });
    expect(await checkTemplates([path])).toEqual([]);
  });

  it('reports unknown types, misspelt and nested unknown properties, missing required ones and objects for scalars', async () => {
    const path = templateFile({
      Nope: { Type: 'AWS::Nope::Thing', Properties: {} },
      Typo: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDay: 30 } },
      Nested: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { TargetGroupAttributes: [{ Kee: 'x', Value: 'y' }] } },
      Missing: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { FromPort: 80, ToPort: 80 } },
      Scalar: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { name: 'x' } } },
    });
    const problems = await checkTemplates([path]);
    const byId = (id: string) => problems.filter((problem) => problem.logicalId === id).map((problem) => `${problem.path}: ${problem.message}`);
    expect(byId('Nope')).toEqual(['Type: unknown resource type AWS::Nope::Thing']);
    expect(byId('Typo')).toEqual(['Properties.RetentionInDay: unknown property RetentionInDay']);
    expect(byId('Nested')).toEqual(['Properties.TargetGroupAttributes[0].Kee: unknown property Kee']);
    expect(byId('Missing')).toEqual(['Properties.IpProtocol: required property IpProtocol is missing']);
    expect(byId('Scalar')).toEqual(['Properties.DisplayName: expected a string, found an object']);
  });
});
