/**
 * Stack `berth-<app>-ci`: what GitHub Actions needs to deploy the app without a stored AWS key. GitHub's OIDC
 * identity provider (created once per account, or an existing one reused), and one IAM role per environment that
 * only a workflow job running in that GitHub environment of that repository can assume, allowed exactly what a
 * berth deploy does: assume CDK's bootstrap roles (CloudFormation then deploys with the bootstrap's execution
 * role), push to the app's ECR repository, keep the release history in SSM, and the reads deploy, status and the
 * doctor make. No `*` action; `*` resources only where the action has no resource-level permissions.
 * Outputs: `OidcProviderArn`, `Role<Env>Arn` per role (see roleOutputId).
 * Cost: IAM roles and OIDC providers are free.
 */
import { Arn, ArnFormat, CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  CDK_BOOTSTRAP_QUALIFIER, ciRoleName, ciStackName, environmentStackName, logGroupName, registryStackName, releasesParameterPath, repositoryName, secretName,
} from '../../model/index.js';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface CiRoleSpec {
  /** The environment (or template) name: the role `berth-<app>-ci-<name>` and the GitHub environment it trusts. */
  readonly name: string;
  /** The environment names the role acts on: `staging`, or a template pattern such as `pr-*`. */
  readonly environments: string;
  /** The environments' region. @default the stack's region */
  readonly region?: string;
  /**
   * Environments made from a template come and go from CI: the role may also store their secrets and delete
   * their release history (`berth destroy --purge`).
   * @default false
   */
  readonly ephemeral?: boolean;
}

export interface CiStackProps extends StackProps {
  readonly app: string;
  /** owner/repo on GitHub: the only repository whose workflows may assume the roles. */
  readonly repository: string;
  readonly roles: readonly CiRoleSpec[];
  /**
   * The account's existing GitHub OIDC provider. An account has at most one per URL, so berth reuses it.
   * @default a provider is created (and kept when the stack is deleted, for whoever else trusts it)
   */
  readonly oidcProviderArn?: string;
}

/** The `sub` claim GitHub puts in a job's token when the job runs in a GitHub environment. */
export function environmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

/** The output id of a role's ARN: `RoleStagingArn`, `RolePrArn`... (CloudFormation ids are alphanumeric). */
export function roleOutputId(name: string): string {
  return `Role${name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('')}Arn`;
}

export class CiStack extends Stack {
  readonly providerArn: string;
  readonly roles: Record<string, iam.Role> = {};

  constructor(scope: Construct, props: CiStackProps) {
    super(scope, ciStackName(props.app), { ...props, description: `berth: GitHub Actions deploy roles of ${props.app} (${props.repository})` });
    if (props.oidcProviderArn) {
      this.providerArn = props.oidcProviderArn;
    } else {
      const provider = new iam.OidcProviderNative(this, 'GithubOidcProvider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIds: [GITHUB_OIDC_AUDIENCE],
        // Kept on delete: other stacks and apps in the account may trust the same provider.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.providerArn = provider.oidcProviderArn;
    }
    for (const spec of props.roles) {
      const role = new CiDeployRole(this, `Role-${spec.name}`, { app: props.app, repository: props.repository, providerArn: this.providerArn, spec });
      this.roles[spec.name] = role.role;
      new CfnOutput(this, roleOutputId(spec.name), { value: role.role.roleArn, description: `role-to-assume of the ${spec.name} jobs` });
    }
    new CfnOutput(this, 'OidcProviderArn', { value: this.providerArn });
  }
}

interface CiDeployRoleProps {
  app: string;
  repository: string;
  providerArn: string;
  spec: CiRoleSpec;
}

/** One environment's deploy role: its trust policy and exactly the permissions of a berth deploy. */
export class CiDeployRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CiDeployRoleProps) {
    super(scope, id);
    const { app, spec } = props;
    const stack = Stack.of(this);
    const region = spec.region ?? stack.region;
    const arn = (service: string, resource: string, resourceName?: string, format = ArnFormat.SLASH_RESOURCE_NAME) =>
      Arn.format({ service, region: service === 'iam' ? '' : region, resource, ...(resourceName !== undefined ? { resourceName } : {}), arnFormat: format }, stack);
    const envs = spec.environments;

    this.role = new iam.Role(this, 'Role', {
      roleName: ciRoleName(app, spec.name),
      description: `berth ${app}: GitHub Actions jobs of ${props.repository} in the GitHub environment ${spec.name} deploy ${envs}`,
      assumedBy: new iam.FederatedPrincipal(props.providerArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: environmentSubject(props.repository, spec.name),
        },
      }, 'sts:AssumeRoleWithWebIdentity'),
    });

    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((kind) =>
          arn('iam', 'role', `cdk-${CDK_BOOTSTRAP_QUALIFIER}-${kind}-role-${stack.account}-${region}`)),
      }),
      new iam.PolicyStatement({
        sid: 'ReadCdkBootstrapVersion',
        actions: ['ssm:GetParameter'],
        resources: [arn('ssm', 'parameter', `cdk-bootstrap/${CDK_BOOTSTRAP_QUALIFIER}/version`)],
      }),
      new iam.PolicyStatement({
        sid: 'EcrLogin',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'PushAndTagTheAppImages',
        actions: [
          'ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload',
          'ecr:PutImage', 'ecr:BatchGetImage', 'ecr:DescribeImages',
        ],
        resources: [arn('ecr', 'repository', repositoryName(app))],
      }),
      new iam.PolicyStatement({
        sid: 'ReleaseHistory',
        actions: ['ssm:GetParametersByPath', 'ssm:GetParameter', 'ssm:PutParameter', ...(spec.ephemeral ? ['ssm:DeleteParameters'] : [])],
        resources: [arn('ssm', 'parameter', releasesParameterPath(app, envs).slice(1)), arn('ssm', 'parameter', `${releasesParameterPath(app, envs).slice(1)}/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'SecretsPresent',
        actions: ['secretsmanager:DescribeSecret', ...(spec.ephemeral ? ['secretsmanager:CreateSecret', 'secretsmanager:TagResource', 'secretsmanager:PutSecretValue', 'secretsmanager:RestoreSecret', 'secretsmanager:DeleteSecret'] : [])],
        resources: [arn('secretsmanager', 'secret', secretName(app, envs, '*'), ArnFormat.COLON_RESOURCE_NAME)],
      }),
      new iam.PolicyStatement({
        sid: 'ListSecretNames',
        actions: ['secretsmanager:ListSecrets'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadStacks',
        actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents'],
        resources: [
          arn('cloudformation', 'stack', `${environmentStackName(app, envs)}/*`),
          arn('cloudformation', 'stack', `${registryStackName(app)}/*`),
          arn('cloudformation', 'stack', 'CDKToolkit/*'),
        ],
      }),
      new iam.PolicyStatement({
        // Every service of the environment's cluster: web services and workers (berth-<app>-<env>-<service>).
        sid: 'ReadItsServices',
        actions: ['ecs:DescribeServices'],
        resources: [arn('ecs', 'service', `${environmentStackName(app, envs)}/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ListItsServiceDeployments',
        actions: ['ecs:ListServiceDeployments'],
        resources: [arn('ecs', 'service', `${environmentStackName(app, envs)}/*`)],
      }),
      new iam.PolicyStatement({
        // Blue/green and canary: deploy reads the phases, rollback during the bake stops the deployment with ROLLBACK.
        sid: 'ReadAndStopItsServiceDeployments',
        actions: ['ecs:DescribeServiceDeployments', 'ecs:StopServiceDeployment'],
        resources: [arn('ecs', 'service-deployment', `${environmentStackName(app, envs)}/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ReadItsTasks',
        actions: ['ecs:DescribeTasks'],
        resources: [arn('ecs', 'task', `${environmentStackName(app, envs)}/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ListItsTasks',
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnLike: { 'ecs:cluster': arn('ecs', 'cluster', environmentStackName(app, envs)) } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadRolloutState',
        actions: ['ecs:DescribeTaskDefinition', 'elasticloadbalancing:DescribeTargetHealth', 'cloudwatch:DescribeAlarms'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DoctorChecksThisRole',
        actions: ['iam:GetRole', 'iam:SimulatePrincipalPolicy'],
        resources: [arn('iam', 'role', ciRoleName(app, spec.name))],
      }),
      new iam.PolicyStatement({
        sid: 'ReadTheLogs',
        actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
        resources: [arn('logs', 'log-group', `${logGroupName(app, envs)}:*`, ArnFormat.COLON_RESOURCE_NAME)],
      }),
    ];
    const policy = new iam.Policy(this, 'DeployPolicy', { statements, roles: [this.role] });

    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, secretsmanager:ListSecrets, ecs:ListTasks (limited by the ecs:cluster condition), ecs:DescribeTaskDefinition, elasticloadbalancing:DescribeTargetHealth and cloudwatch:DescribeAlarms have no resource-level permissions, so they need resource "*"; every other statement names the app\'s own resources.',
    });
    // Each wildcard inside an ARN acknowledged on its own, so a new one is still reported.
    for (const resource of new Set(statements.flatMap((statement) => statement.resources))) {
      if (resource === '*' || !nagText(stack, resource).includes('*')) continue;
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagText(stack, resource)}]`,
        reason: 'The wildcard stands for names berth cannot know in advance under the app\'s own prefix: release numbers, secret suffixes, task ids, log streams, stack ids, or the environments a template makes (such as pr-*).',
      });
    }
  }
}

/** A resource ARN as cdk-nag writes it in a finding: tokens resolved, `{ Ref: X }` as `<X>` (pure). */
export function nagText(stack: Stack, value: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (node && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      if (typeof object.Ref === 'string') return `<${object.Ref}>`;
      if (Array.isArray(object['Fn::GetAtt'])) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
      if (Array.isArray(object['Fn::Join'])) {
        const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
        return parts.map(flatten).join(separator);
      }
    }
    return JSON.stringify(node);
  };
  return flatten(stack.resolve(value));
}
