import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CiStack, environmentSubject, type CiRoleSpec } from './ci-stack.js';
import { CDK_BOOTSTRAP_QUALIFIER } from '../../model/index.js';
import { readFindings, REPORT_FILE } from './synthesize.js';
import { synthesizeCi } from './synthesize-ci.js';

const ROLES: CiRoleSpec[] = [
  { name: 'staging', environments: 'staging' },
  { name: 'prod', environments: 'prod', region: 'eu-west-1' },
  { name: 'preview', environments: 'pr-*', ephemeral: true },
];

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function template(props: Partial<ConstructorParameters<typeof CiStack>[1]> = {}): { template: Template; resources: Resources } {
  const app = new App();
  const stack = new CiStack(app, { app: 'news-api', repository: 'acme/news-api', roles: ROLES, env: { region: 'us-east-1' }, ...props });
  const synthesized = Template.fromStack(stack);
  return { template: synthesized, resources: synthesized.toJSON().Resources as Resources };
}

function policyOf(resources: Resources, roleName: string): Statement[] {
  const [roleId] = Object.entries(resources).find(([, resource]) => resource.Type === 'AWS::IAM::Role' && resource.Properties.RoleName === roleName)!;
  const policy = Object.values(resources).find((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))!;
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

const actions = (statement: Statement) => [statement.Action].flat();
const text = (value: unknown) => JSON.stringify(value);

describe('CI stack berth-<app>-ci', () => {
  // The default stack is synthesized once, in a hook: the first synthesis loads aws-cdk-lib, which on a loaded machine
  // takes longer than one test's timeout.
  let defaults: ReturnType<typeof template>;
  beforeAll(() => {
    defaults = template();
  });

  it('trusts only GitHub jobs of the repository running in the role\'s GitHub environment, with the STS audience', () => {
    const { template: synthesized, resources } = defaults;
    expect(synthesized.findResources('AWS::IAM::OIDCProvider')).toEqual({
      GithubOidcProviderD8241A88: expect.objectContaining({ Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] }, DeletionPolicy: 'Retain' }),
    });
    const roles = Object.values(resources).filter((resource) => resource.Type === 'AWS::IAM::Role');
    expect(roles.map((role) => role.Properties.RoleName)).toEqual(['berth-news-api-ci-staging', 'berth-news-api-ci-prod', 'berth-news-api-ci-preview']);
    for (const role of roles) {
      const env = String(role.Properties.RoleName).replace('berth-news-api-ci-', '');
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: { Ref: 'GithubOidcProviderD8241A88' } },
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': `repo:acme/news-api:environment:${env}` } },
        }],
      });
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    expect(environmentSubject('acme/news-api', 'prod')).toBe('repo:acme/news-api:environment:prod');
  });

  it('reuses an existing provider instead of creating a second one', () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const { template: synthesized, resources } = template({ oidcProviderArn: arn });
    synthesized.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    const role = Object.values(resources).find((resource) => resource.Type === 'AWS::IAM::Role')!;
    expect(text(role.Properties.AssumeRolePolicyDocument)).toContain(`"Federated":"${arn}"`);
  });

  it('grants no * action, no administrator policy, and names the app\'s own resources', () => {
    const { resources } = defaults;
    const statements = Object.values(resources).filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements.length).toBeGreaterThan(30);
    for (const statement of statements) for (const action of actions(statement)) expect(action, text(statement)).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    expect(text(resources)).not.toMatch(/AdministratorAccess|PowerUserAccess|"iam:\*"|"\*:\*"/);
    // Resource "*" only for actions without resource-level permissions.
    const unscoped = statements.filter((statement) => statement.Resource === '*').flatMap(actions);
    expect([...new Set(unscoped)].sort()).toEqual(['cloudwatch:DescribeAlarms', 'ecr:GetAuthorizationToken', 'ecs:DescribeTaskDefinition', 'ecs:ListTasks', 'elasticloadbalancing:DescribeTargetHealth', 'secretsmanager:ListSecrets']);
  });

  it('lets a role assume exactly the CDK bootstrap roles of its environment\'s account and region', () => {
    expect(CDK_BOOTSTRAP_QUALIFIER).toBe(DefaultStackSynthesizer.DEFAULT_QUALIFIER);
    const { resources } = defaults;
    const assume = policyOf(resources, 'berth-news-api-ci-prod').find((statement) => statement.Sid === 'AssumeCdkBootstrapRoles')!;
    expect(actions(assume)).toEqual(['sts:AssumeRole']);
    const targets = text(assume.Resource);
    for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) expect(targets).toContain(`:role/cdk-hnb659fds-${kind}-role-",{"Ref":"AWS::AccountId"},"-eu-west-1"`);
    expect(targets.match(/-eu-west-1"/g)).toHaveLength(4);
    expect(targets).not.toContain('us-east-1');
  });

  it('scopes ECR push to the app\'s repository, releases and secrets to the role\'s environment', () => {
    const { resources } = defaults;
    const staging = policyOf(resources, 'berth-news-api-ci-staging');
    const push = staging.find((statement) => statement.Sid === 'PushAndTagTheAppImages')!;
    expect(actions(push)).toEqual(expect.arrayContaining(['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:CompleteLayerUpload']));
    expect(text(push.Resource)).toContain(':repository/berth/news-api"');
    expect(text(staging.find((statement) => statement.Sid === 'ReleaseHistory')!.Resource)).toContain(':parameter/berth/news-api/staging/releases/*"');
    expect(actions(staging.find((statement) => statement.Sid === 'ReleaseHistory')!)).not.toContain('ssm:DeleteParameters');
    expect(actions(staging.find((statement) => statement.Sid === 'SecretsPresent')!)).toEqual(['secretsmanager:DescribeSecret']);
    const doctor = staging.find((statement) => statement.Sid === 'DoctorChecksThisRole')!;
    expect(actions(doctor)).toEqual(['iam:GetRole', 'iam:SimulatePrincipalPolicy']);
    expect(text(doctor.Resource)).toMatch(/:role\/berth-news-api-ci-staging"\]\]\}$/);
    // Every service of its cluster (web services and workers), not only the first.
    const services = staging.find((statement) => statement.Sid === 'ReadItsServices')!;
    expect(actions(services)).toEqual(['ecs:DescribeServices']);
    expect(text(services.Resource)).toMatch(/:service\/berth-news-api-staging\/\*"\]\]\}$/);
    const listTasks = staging.find((statement) => statement.Sid === 'ListItsTasks')!;
    expect(text(listTasks.Condition)).toContain(':cluster/berth-news-api-staging"');
  });

  it('lets deploy read the phases of a blue/green or canary deployment and rollback stop it, in the role\'s own cluster only', () => {
    const { resources } = defaults;
    for (const [role, env] of [['berth-news-api-ci-staging', 'staging'], ['berth-news-api-ci-prod', 'prod']] as const) {
      const statements = policyOf(resources, role);
      const list = statements.find((statement) => statement.Sid === 'ListItsServiceDeployments')!;
      expect(actions(list)).toEqual(['ecs:ListServiceDeployments']);
      expect(text(list.Resource)).toMatch(new RegExp(`:service/berth-news-api-${env}/\\*"\\]\\]\\}$`));
      const deployments = statements.find((statement) => statement.Sid === 'ReadAndStopItsServiceDeployments')!;
      expect(actions(deployments)).toEqual(['ecs:DescribeServiceDeployments', 'ecs:StopServiceDeployment']);
      expect(text(deployments.Resource)).toMatch(new RegExp(`:service-deployment/berth-news-api-${env}/\\*"\\]\\]\\}$`));
    }
  });

  it('lets the preview role store secrets and purge releases of pr-* environments only', () => {
    const { resources } = defaults;
    const preview = policyOf(resources, 'berth-news-api-ci-preview');
    const releases = preview.find((statement) => statement.Sid === 'ReleaseHistory')!;
    expect(actions(releases)).toContain('ssm:DeleteParameters');
    expect(text(releases.Resource)).toContain(':parameter/berth/news-api/pr-*/releases/*"');
    const secrets = preview.find((statement) => statement.Sid === 'SecretsPresent')!;
    expect(actions(secrets)).toEqual(expect.arrayContaining(['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret']));
    expect(text(secrets.Resource)).toContain(':secret:berth/news-api/pr-*/*"');
    expect(text(preview)).not.toMatch(/berth\/news-api\/(staging|prod)/);
  });

  it('synthesizes cdk-nag clean with the CloudFormation check, and the wildcard acknowledgments are exact', async () => {
    const result = await synthesizeCi({ app: 'news-api', repository: 'acme/news-api', region: 'us-east-1', roles: ROLES }, mkdtempSync(join(tmpdir(), 'berth-ci-synth-')));
    expect(result.nagFindings).toEqual([]);
    expect(result.validationFindings).toEqual([]);
    expect(result.stack.name).toBe('berth-news-api-ci');
    expect(result.stack.outputs).toEqual(['RoleStagingArn', 'RoleProdArn', 'RolePreviewArn', 'OidcProviderArn']);
    expect(JSON.parse(readFileSync(result.stack.template, 'utf8')).Resources).toBeDefined();

    // A wildcard nobody acknowledged is still reported.
    const outdir = mkdtempSync(join(tmpdir(), 'berth-ci-nag-'));
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    const stack = new CiStack(app, { app: 'news-api', repository: 'acme/news-api', roles: ROLES.slice(0, 1), env: { region: 'us-east-1' } });
    const policy = stack.node.findAll().find((construct): construct is iam.Policy => construct instanceof iam.Policy)!;
    policy.addStatements(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::someone-elses-bucket/*'] }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const quiet = console.error;
    console.error = () => undefined;
    try {
      app.synth();
    } finally {
      console.error = quiet;
    }
    expect(readFindings(join(outdir, REPORT_FILE)).map((finding) => finding.ruleId)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::someone-elses-bucket/*]']);
  });
});
