/**
 * AWS preconditions of a deploy: the credentials work (account and region shown), the caller may do what a
 * deploy does (IAM policy simulation, including iam:PassRole on berth's roles), and the quotas that most
 * often block a first deploy leave room. Clients use the SDK's standard chain (AWS_PROFILE, AWS_REGION,
 * AWS_ENDPOINT_URL); the SDK modules are imported only when the checks run.
 */
import { declaredSecrets, jobServices, longRunningServices, roleNamePattern, secretName, usesLoadBalancer } from '../model/index.js';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ResolvedConfig } from '../config/model.js';
import { CDK_BOOTSTRAP_QUALIFIER, environmentStackName, releasesParameterPath, repositoryName } from '../model/index.js';
import { declaredHaveValues, fail, pass, warn, type CheckResult } from './check-result.js';

export interface AwsClients {
  sts: STSClient;
  iam: IAMClient;
  quotas: ServiceQuotasClient;
  /** For the declared-secrets check; skipped when absent. */
  secrets?: SecretsManagerClient;
  region: string;
}

type AwsConfig = Pick<ResolvedConfig, 'app' | 'env' | 'region' | 'account' | 'services' | 'network'>;

/** The doctor's clients from the one AWS session every command uses (--region, --profile, AWS_REGION, AWS_ENDPOINT_URL). */
export async function createAwsClients(config: Pick<ResolvedConfig, 'region' | 'env' | 'file'>): Promise<AwsClients> {
  const { createAwsClients: createSession, resolveAwsSettings } = await import('../targets/aws/aws-session.js');
  const session = await createSession(resolveAwsSettings(config));
  const [{ IAMClient }, { ServiceQuotasClient }] = await Promise.all([import('@aws-sdk/client-iam'), import('@aws-sdk/client-service-quotas')]);
  return { sts: session.sts, iam: new IAMClient(session.clientOptions), quotas: new ServiceQuotasClient(session.clientOptions), secrets: session.secrets, region: session.region };
}

/** The IAM principal to simulate: an assumed-role session becomes its role (policy simulation needs the role ARN). */
export function principalArn(callerArn: string): string | undefined {
  const assumed = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (assumed) return `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
  if (/^arn:aws[\w-]*:iam::\d{12}:(user|role)\//.test(callerArn)) return callerArn;
  // root and federated users cannot be simulated.
  return undefined;
}

interface ActionToCheck {
  action: string;
  /** Resource ARN pattern; "*" when the action is not resource-scoped for a first deploy. */
  resource: (account: string, partition: string) => string;
}

const ANY = () => '*';

/** The calls a deploy makes (directly or through CloudFormation with the caller's rights). */
export function deployActions(app: string): ActionToCheck[] {
  const role = (account: string, partition: string) => `arn:${partition}:iam::${account}:role/${roleNamePattern(app)}`;
  return [
    ...['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DescribeStackEvents'].map((action) => ({ action, resource: ANY })),
    ...['ecs:CreateCluster', 'ecs:CreateService', 'ecs:UpdateService', 'ecs:RegisterTaskDefinition', 'ecs:DescribeTasks'].map((action) => ({ action, resource: ANY })),
    ...['ecr:CreateRepository', 'ecr:GetAuthorizationToken', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage'].map((action) => ({ action, resource: ANY })),
    { action: 'iam:CreateRole', resource: role },
    { action: 'iam:PutRolePolicy', resource: role },
    { action: 'iam:PassRole', resource: role },
    ...['ec2:CreateVpc', 'ec2:CreateSecurityGroup', 'elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup', 'logs:CreateLogGroup'].map((action) => ({ action, resource: ANY })),
    { action: 'ssm:GetParameter', resource: (account, partition) => `arn:${partition}:ssm:*:${account}:parameter/cdk-bootstrap/*` },
    ...['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret'].map((action) => ({ action, resource: ANY })),
  ];
}

/**
 * The other way to deploy: through CDK's bootstrap roles (CloudFormation then acts with the bootstrap's execution
 * role), plus the calls berth makes itself. This is all the CI roles of `berth ci github` may do.
 */
export function bootstrapRouteActions(app: string, env: string, region: string): ActionToCheck[] {
  const bootstrapRole = (kind: string) => (account: string, partition: string) => `arn:${partition}:iam::${account}:role/cdk-${CDK_BOOTSTRAP_QUALIFIER}-${kind}-role-${account}-${region}`;
  const repository = (account: string, partition: string) => `arn:${partition}:ecr:${region}:${account}:repository/${repositoryName(app)}`;
  return [
    { action: 'sts:AssumeRole', resource: bootstrapRole('deploy') },
    { action: 'sts:AssumeRole', resource: bootstrapRole('file-publishing') },
    { action: 'ecr:GetAuthorizationToken', resource: ANY },
    ...['ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage'].map((action) => ({ action, resource: repository })),
    { action: 'ssm:PutParameter', resource: (account, partition) => `arn:${partition}:ssm:${region}:${account}:parameter${releasesParameterPath(app, env)}/000001` },
    { action: 'cloudformation:DescribeStacks', resource: (account, partition) => `arn:${partition}:cloudformation:${region}:${account}:stack/${environmentStackName(app, env)}/x` },
  ];
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? '';
}

/** A one-line explanation of an SDK error, or undefined when it is not one we know. */
export function explainAwsError(error: unknown): { status: 'warn' | 'fail'; message: string; fix: string } | undefined {
  const name = errorName(error);
  const message = (error as Error).message ?? String(error);
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken' || /expired/i.test(message) && /token/i.test(message)) {
    return { status: 'fail', message: 'the AWS credentials have expired (ExpiredTokenException)', fix: 'refresh them: `aws sso login` (SSO), or get new temporary credentials, then run `berth doctor` again' };
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    // A deploy would fail the same way: the doctor must not pass what deploy refuses.
    return { status: 'fail', message: 'no AWS credentials (none in the environment, the shared files, SSO, or a container or instance role)', fix: 'configure credentials (`aws configure`, `aws sso login`, or --profile / AWS_PROFILE), then run `berth doctor` again' };
  }
  if (name === 'InvalidClientTokenId' || name === 'SignatureDoesNotMatch' || name === 'UnrecognizedClientException') {
    return { status: 'fail', message: `the AWS credentials are not valid (${name})`, fix: 'check the access key in ~/.aws/credentials or the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), or AWS_PROFILE' };
  }
  if (name === 'ThrottlingException' || name === 'Throttling' || name === 'TooManyRequestsException' || /rate exceeded/i.test(message)) {
    return { status: 'warn', message: `AWS throttled the request (${name || 'Rate exceeded'})`, fix: 'wait a minute and run `berth doctor` again' };
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || /not authorized to perform/i.test(message)) {
    const action = /not authorized to perform: (\S+)/.exec(message)?.[1];
    return { status: 'warn', message: `not allowed to check this${action ? ` (${action})` : ''}`, fix: `grant ${action ?? 'the read permission'} to check it, or ignore this warning` };
  }
  return undefined;
}

function fromError(id: string, error: unknown, doing: string): CheckResult {
  const known = explainAwsError(error);
  if (known?.status === 'fail') return fail(id, `${doing}: ${known.message}`, known.fix);
  if (known) return warn(id, `${doing}: ${known.message}`, known.fix);
  return warn(id, `${doing}: ${(error as Error).message}`, 'run again with --debug for details');
}

interface Identity {
  account: string;
  arn: string;
  partition: string;
}

async function checkCredentials(config: AwsConfig, clients: AwsClients): Promise<{ result: CheckResult; identity?: Identity }> {
  if (!clients.region) {
    return { result: fail('aws-credentials', 'no AWS region', `set region in berth.yml (environments.${config.env}.region), pass --region, or export AWS_REGION`) };
  }
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    const account = identity.Account ?? '';
    const arn = identity.Arn ?? '';
    if (config.account && config.account !== account) {
      return {
        result: fail('aws-credentials', `the credentials are for account ${account}, but berth.yml's ${config.env} environment is for account ${config.account}`, `switch to a profile for account ${config.account} (AWS_PROFILE=...)`),
      };
    }
    const partition = /^arn:([^:]+):/.exec(arn)?.[1] ?? 'aws';
    return { result: pass('aws-credentials', `AWS account ${account}, region ${clients.region}, as ${arn}`), identity: { account, arn, partition } };
  } catch (error) {
    const known = explainAwsError(error);
    if (known && /^no AWS credentials/.test(known.message)) return { result: fail('aws-credentials', known.message, known.fix) };
    return { result: fromError('aws-credentials', error, 'could not confirm the AWS identity') };
  }
}

async function checkPermissions(config: AwsConfig, clients: AwsClients, identity: Identity): Promise<CheckResult> {
  let principal = principalArn(identity.arn);
  if (!principal) {
    if (/:root$/.test(identity.arn)) return warn('aws-permissions', 'you are using the account\'s root user', 'create an IAM user or role for deploying and use that (root can do everything, which is the risk)');
    return warn('aws-permissions', `cannot simulate the policies of ${identity.arn}`, 'check the permissions by hand: CloudFormation, ECS, ECR, IAM (iam:PassRole on berth roles), EC2, ELB, Logs, Secrets Manager');
  }
  const { GetRoleCommand, SimulatePrincipalPolicyCommand } = await import('@aws-sdk/client-iam');
  // An assumed-role ARN drops the role's path (SSO roles live under /aws-reserved/...): ask IAM for the real ARN.
  const roleName = /:role\/(.+)$/.exec(principal)?.[1];
  if (roleName && !roleName.includes('/')) {
    try {
      const role = await clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
      if (role.Role?.Arn) principal = role.Role.Arn;
    } catch {
      // Not allowed iam:GetRole: simulate with the ARN as derived.
    }
  }
  const actions = deployActions(config.app);
  const simulate = async (list: ActionToCheck[]): Promise<string[]> => {
    const denied: string[] = [];
    const byResource = new Map<string, string[]>();
    for (const item of list) {
      const resource = item.resource(identity.account, identity.partition);
      byResource.set(resource, [...new Set([...(byResource.get(resource) ?? []), item.action])]);
    }
    for (const [resource, names] of byResource) {
      let marker: string | undefined;
      do {
        const response = await clients.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: principal, ActionNames: names, ResourceArns: [resource], Marker: marker }));
        for (const result of response.EvaluationResults ?? []) {
          if (result.EvalDecision !== 'allowed') denied.push(`${result.EvalActionName}${resource === '*' ? '' : ` on ${resource}`} (${result.EvalDecision})`);
        }
        marker = response.IsTruncated ? response.Marker : undefined;
      } while (marker);
    }
    return denied;
  };
  let denied: string[];
  try {
    denied = await simulate(actions);
    if (denied.length > 0 && clients.region) {
      const route = bootstrapRouteActions(config.app, config.env, clients.region);
      if ((await simulate(route)).length === 0) {
        return pass('aws-permissions', `${principal} may deploy through CDK's bootstrap roles (sts:AssumeRole on cdk-${CDK_BOOTSTRAP_QUALIFIER}-deploy-role) and make the ${route.length - 2} calls berth makes itself`);
      }
    }
  } catch (error) {
    return fromError('aws-permissions', error, `could not simulate the policies of ${principal}`);
  }
  if (denied.length === 0) return pass('aws-permissions', `${principal} may perform the ${actions.length} actions a deploy needs`);
  const first = denied.map((line) => line.split(' ')[0]).slice(0, 4).join(', ');
  return fail(
    'aws-permissions',
    `${principal} is not allowed ${denied.length} action${denied.length === 1 ? '' : 's'} a deploy needs: ${first}${denied.length > 4 ? ', ...' : ''}`,
    `grant them to ${principal} (iam:PassRole on arn:${identity.partition}:iam::${identity.account}:role/${roleNamePattern(config.app)})`,
    denied,
  );
}

interface QuotaToCheck {
  service: string;
  code: string;
  name: string;
  /** What this deploy needs at most, or undefined to only show the value. */
  needed: (config: AwsConfig) => number | undefined;
  unit: string;
}

/** One service's share of the Fargate vCPUs a deploy may use at its peak. */
export interface FargateShare {
  service: string;
  spot: boolean;
  vcpu: number;
  /** "web: 0.5 vCPU × 4 tasks (count.max) = 2 vCPU, On-Demand" */
  line: string;
}

/**
 * The Fargate vCPUs the environment may hold at once, per service: each web and worker service at its largest
 * count (count.max, or a larger scheduled max), each job as one run at a time. Pure.
 */
export function fargateShares(config: Pick<ResolvedConfig, 'services'>): FargateShare[] {
  const share = (service: string, cpu: number, tasks: number, what: string, spot: boolean): FargateShare => {
    const vcpu = (cpu / 1024) * tasks;
    return { service, spot, vcpu, line: `${service}: ${cpu / 1024} vCPU × ${tasks} ${what} = ${vcpu} vCPU, ${spot ? 'Spot' : 'On-Demand'}` };
  };
  return [
    ...longRunningServices(config).map((service) => {
      const tasks = Math.max(service.count.max, ...service.count.schedule.map((entry) => entry.max ?? 0));
      return share(service.name, service.cpu, tasks, `task${tasks === 1 ? '' : 's'} (count.max)`, service.spot);
    }),
    ...jobServices(config).map((job) => share(job.name, job.cpu, 1, 'run (a job)', job.spot)),
  ];
}

function vcpuNeeded(config: Pick<ResolvedConfig, 'services'>, spot: boolean): number | undefined {
  const shares = fargateShares(config).filter((item) => item.spot === spot);
  return shares.length === 0 ? undefined : shares.reduce((sum, item) => sum + item.vcpu, 0);
}

export const FIRST_DEPLOY_QUOTAS: QuotaToCheck[] = [
  { service: 'fargate', code: 'L-3032A538', name: 'Fargate On-Demand vCPUs', unit: 'vCPU', needed: (c) => vcpuNeeded(c, false) },
  { service: 'fargate', code: 'L-36FBB829', name: 'Fargate Spot vCPUs', unit: 'vCPU', needed: (c) => vcpuNeeded(c, true) },
  { service: 'vpc', code: 'L-F678F1CE', name: 'VPCs per region', unit: 'VPCs', needed: () => 1 },
  { service: 'ec2', code: 'L-0263D0A3', name: 'Elastic IPs per region', unit: 'addresses', needed: (c) => (c.network.egress === 'nat' ? 1 : undefined) },
  // One load balancer for the environment, however many web services share it.
  { service: 'elasticloadbalancing', code: 'L-53DA6B97', name: 'Application Load Balancers per region', unit: 'load balancers', needed: (c) => (usesLoadBalancer(c) ? 1 : undefined) },
];

async function checkQuotas(config: AwsConfig, clients: AwsClients): Promise<CheckResult> {
  const { GetServiceQuotaCommand } = await import('@aws-sdk/client-service-quotas');
  const lines: string[] = [];
  const short: string[] = [];
  for (const quota of FIRST_DEPLOY_QUOTAS) {
    const needed = quota.needed(config);
    if (needed === undefined && quota.service === 'fargate') continue;
    try {
      const response = await clients.quotas.send(new GetServiceQuotaCommand({ ServiceCode: quota.service, QuotaCode: quota.code }));
      const value = response.Quota?.Value;
      if (value === undefined) continue;
      lines.push(`${quota.name}: ${value}${needed === undefined ? '' : ` (this deploy needs ${needed})`}`);
      if (needed !== undefined && value < needed) short.push(`${quota.name} is ${value} ${quota.unit}, this deploy needs ${needed}`);
    } catch (error) {
      const known = explainAwsError(error);
      if (known?.status === 'fail') return fail('aws-quotas', `could not read the quotas: ${known.message}`, known.fix);
      lines.push(`${quota.name}: not readable (${known?.message ?? (error as Error).message})`);
    }
  }
  const shares = fargateShares(config);
  if (short.length > 0) {
    const largest = [...shares].sort((a, b) => b.vcpu - a.vcpu)[0];
    const lower = config.services.length === 1 && config.services[0]!.name === 'web'
      ? 'service.count.max / service.cpu'
      : `services.<name>.count.max / cpu (the largest share: ${largest?.service}, ${largest?.vcpu} vCPU)`;
    return fail('aws-quotas', short.join('; '), `request an increase in the Service Quotas console (it can take a day), or lower ${lower}`, [...lines, ...shares.map((item) => item.line)]);
  }
  if (lines.length === 0) return warn('aws-quotas', 'could not read any quota', 'grant servicequotas:GetServiceQuota to check them');
  return pass('aws-quotas', `quotas leave room for a first deploy (usage not counted: a VPC, Elastic IP or load balancer already in use counts against them)`, [...lines, ...shares.map((item) => item.line)]);
}

/** Every declared secret exists in Secrets Manager as berth/<app>/<env>/<NAME> with a current value (values are never read). */
async function checkAwsSecrets(config: AwsConfig, client: SecretsManagerClient): Promise<CheckResult> {
  const declared = declaredSecrets(config);
  if (declared.length === 0) return pass('secrets-set', 'no secrets declared');
  const { DescribeSecretCommand } = await import('@aws-sdk/client-secrets-manager');
  const missing: string[] = [];
  for (const name of declared) {
    try {
      const secret = await client.send(new DescribeSecretCommand({ SecretId: secretName(config.app, config.env, name) }));
      const current = Object.values(secret.VersionIdsToStages ?? {}).some((stages) => stages.includes('AWSCURRENT'));
      if (!current || secret.DeletedDate) missing.push(name);
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') missing.push(name);
      else return fromError('secrets-set', error, 'could not read the secrets in Secrets Manager');
    }
  }
  if (missing.length === 0) return pass('secrets-set', `${declaredHaveValues(declared)} in Secrets Manager`);
  return fail(
    'secrets-set',
    `declared secret${missing.length === 1 ? '' : 's'} without a value in Secrets Manager: ${missing.join(', ')} (tasks would stop with ResourceInitializationError)`,
    missing.map((name) => `berth secrets set ${name} --env ${config.env}`).join('; '),
  );
}

/** Runs the AWS precondition checks in order; stops after the credentials check when it does not pass. */
export async function awsChecks(config: AwsConfig, clients: AwsClients): Promise<CheckResult[]> {
  const { result, identity } = await checkCredentials(config, clients);
  if (!identity) return [result];
  const results = [result, await checkPermissions(config, clients, identity), await checkQuotas(config, clients)];
  if (clients.secrets) results.push(await checkAwsSecrets(config, clients.secrets));
  return results;
}
