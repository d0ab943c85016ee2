import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossAccountPullNote, imageSource, serviceImage, type ServiceImageProps } from './image-pull.js';

const SHARED = `111122223333.dkr.ecr.us-east-1.amazonaws.com/shared/web@sha256:${'ab'.repeat(32)}`;

function synth(props: (stack: Stack) => ServiceImageProps) {
  const stack = new Stack(new App(), 'Pull', { env: { account: '123456789012', region: 'us-east-1' } });
  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  const chosen = serviceImage(stack, 'Image', props(stack));
  task.addContainer('app', { image: chosen.image, memoryLimitMiB: 512 });
  return { stack, template: Template.fromStack(stack), chosen };
}

function statements(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('image sources', () => {
  it('parses ECR references into the exact repository ARN, in any partition', () => {
    expect(imageSource(SHARED)).toEqual({ kind: 'ecr', reference: SHARED, account: '111122223333', region: 'us-east-1', repository: 'shared/web', repositoryArn: 'arn:aws:ecr:us-east-1:111122223333:repository/shared/web' });
    expect(imageSource('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1.0')).toMatchObject({ repository: 'app', repositoryArn: 'arn:aws-cn:ecr:cn-north-1:123456789012:repository/app' });
    expect(imageSource('ghcr.io/acme/shop:1.4')).toEqual({ kind: 'registry', reference: 'ghcr.io/acme/shop:1.4' });
  });
});

describe('pull rights', () => {
  // The first synthesis loads aws-cdk-lib's modules (seconds on a busy machine).
  beforeAll(() => { synth(() => ({ image: { reference: SHARED } })); }, 120_000);

  it('grant the three ECR pull actions on exactly the repository of another account\'s image, without CDK\'s policy warning', () => {
    const { stack, template } = synth(() => ({ image: { reference: SHARED } }));
    const pulls = statements(template).filter((statement) => JSON.stringify(statement.Action).includes('BatchGetImage'));
    expect(pulls).toEqual([{ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Effect: 'Allow', Resource: 'arn:aws:ecr:us-east-1:111122223333:repository/shared/web' }]);
    expect(statements(template)).toContainEqual({ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Image: SHARED })] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('.*'));
  });

  it('keep berth\'s own repository to itself before the first build', () => {
    const { template } = synth((stack) => ({ image: { repository: ecr.Repository.fromRepositoryName(stack, 'Repo', 'berth/shop'), digest: `sha256:${'0'.repeat(64)}` } }));
    const pulls = statements(template).filter((statement) => JSON.stringify(statement.Action).includes('BatchGetImage'));
    expect(JSON.stringify(pulls[0]!.Resource)).toContain(':repository/berth/shop');
  });

  it('pull a private non-ECR image with the registry credentials secret and nothing from ECR', () => {
    const { template, chosen } = synth(() => ({ image: { reference: 'ghcr.io/acme/shop:1.4' }, registryCredentialsSecretName: 'berth/shop/prod/GHCR_PULL' }));
    expect(chosen.credentials).toBeDefined();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Image: 'ghcr.io/acme/shop:1.4', RepositoryCredentials: { CredentialsParameter: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp(':secret:berth/shop/prod/GHCR_PULL')])]) }) } })],
    });
    expect(JSON.stringify(statements(template))).not.toContain('ecr:');
    expect(JSON.stringify(statements(template))).toContain('secretsmanager:GetSecretValue');
  });

  it('note that another account\'s repository policy must allow the pull', () => {
    const { stack, chosen } = synth(() => ({ image: { reference: SHARED } }));
    expect(crossAccountPullNote(chosen.source, stack, '123456789012')).toMatch(/^image shared\/web is in ECR of account 111122223333, not this environment's account 123456789012: that repository's policy must allow/);
    expect(crossAccountPullNote(chosen.source, stack, '111122223333')).toBeUndefined();
  });
});
