import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeAppPermissions, grantAppPermissions } from './permissions.js';

const APP = {
  permissions: [{ actions: ['s3:GetObject', 's3:PutObject'], resources: ['arn:aws:s3:::shop-uploads/*'] }],
  managedPolicies: ['AmazonSESFullAccess', 'arn:aws:iam::123456789012:policy/shop-reports'],
};

let template: Template;
beforeAll(() => {
  const stack = new Stack(new App(), 'Perms');
  const execution = new iam.Role(stack, 'ExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const task = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  execution.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: ['*'] }));
  expect(grantAppPermissions(task, APP)).toEqual({ statements: 1, managedPolicies: 2 });
  template = Template.fromStack(stack);
}, 120_000);

describe('app permissions', () => {
  it('go to the task role only, as written', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const onTask = policies.filter((policy) => JSON.stringify(policy.Properties.Roles).includes('TaskRole'));
    expect(onTask.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: 'arn:aws:s3:::shop-uploads/*' },
    ]);
    const roles = template.findResources('AWS::IAM::Role');
    const taskRole = Object.entries(roles).find(([id]) => id.startsWith('TaskRole'))![1];
    expect(JSON.stringify(taskRole.Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/AmazonSESFullAccess');
    expect(taskRole.Properties.ManagedPolicyArns).toContain('arn:aws:iam::123456789012:policy/shop-reports');
    const executionRole = Object.entries(roles).find(([id]) => id.startsWith('ExecutionRole'))![1];
    expect(executionRole.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('read as one line each in the plan', () => {
    expect(describeAppPermissions('web', APP)).toEqual([
      'web task role: s3:GetObject, s3:PutObject on arn:aws:s3:::shop-uploads/*',
      'web task role: managed policy AmazonSESFullAccess',
      'web task role: managed policy arn:aws:iam::123456789012:policy/shop-reports',
    ]);
  });
});
