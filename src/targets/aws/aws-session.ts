/**
 * Which AWS account, region and endpoint berth talks to, and the SDK v3 clients for it. Credentials
 * come from the standard chain (environment, profile incl. SSO, container and instance roles); every
 * client honours AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) natively, so the whole flow can run
 * against an emulator. Throttled calls are retried with backoff by the SDK's standard retry strategy.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ResolvedConfig } from '../../config/model.js';
import { UsageError } from '../../errors.js';

/** Where the AWS settings came from, resolved before any client exists (pure). */
export interface AwsSettings {
  /** Undefined: let the SDK find it in the profile's config file. */
  region?: string;
  regionSource?: '--region' | 'berth.yml' | 'AWS_REGION' | 'AWS_DEFAULT_REGION';
  profile?: string;
  /** AWS_ENDPOINT_URL, shown so nobody mistakes an emulator for AWS. */
  endpoint?: string;
  /** Attempts per call including retries (AWS_MAX_ATTEMPTS, default 6). */
  maxAttempts: number;
}

/** Environment variables the --profile and --region flags set (see src/cli/main.ts). */
export const REGION_FLAG_ENV = 'BERTH_AWS_REGION';

/**
 * Region order: --region, berth.yml `region`, AWS_REGION, AWS_DEFAULT_REGION, then the profile's config.
 * berth.yml wins over the shell's AWS_REGION because the file says where the environment lives.
 */
export function resolveAwsSettings(config: Pick<ResolvedConfig, 'region' | 'env' | 'file'>, env: NodeJS.ProcessEnv = process.env): AwsSettings {
  const flag = env[REGION_FLAG_ENV];
  if (flag && config.region && flag !== config.region) {
    throw new UsageError(
      `--region ${flag} differs from region ${config.region} of environment ${config.env} in ${config.file}`,
      'drop --region, or change region in berth.yml: one environment lives in one region',
    );
  }
  const [region, regionSource] = flag ? [flag, '--region' as const]
    : config.region ? [config.region, 'berth.yml' as const]
      : env.AWS_REGION ? [env.AWS_REGION, 'AWS_REGION' as const]
        : env.AWS_DEFAULT_REGION ? [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION' as const]
          : [undefined, undefined];
  const attempts = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  return {
    region,
    regionSource,
    profile: env.AWS_PROFILE || undefined,
    endpoint: env.AWS_ENDPOINT_URL || undefined,
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 6,
  };
}

export interface AwsClients {
  settings: AwsSettings;
  /** The region the clients use (resolved through the profile when not set explicitly). */
  region: string;
  /** Options for any other SDK client, so it shares the region, credential chain and retries: `new IAMClient(clients.clientOptions)`. */
  clientOptions: Record<string, unknown>;
  sts: STSClient;
  ecr: ECRClient;
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  ssm: SSMClient;
  secrets: SecretsManagerClient;
  cloudformation: CloudFormationClient;
}

/** The configuration every client shares: region, credential chain, retries (pure). */
export function clientConfig(settings: AwsSettings, credentials?: unknown): Record<string, unknown> {
  return {
    ...(settings.region ? { region: settings.region } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
  };
}

/** Creates the SDK clients berth uses; SDK modules are loaded only here (start-up time). */
export async function createAwsClients(settings: AwsSettings): Promise<AwsClients> {
  // berth supports Node 20.19+; the SDK's notice about its future Node 22 floor is not the user's problem today.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [providers, sts, ecr, ecs, elb, logs, cloudwatch, ssm, secrets, cloudformation] = await Promise.all([
    import('@aws-sdk/credential-providers'),
    import('@aws-sdk/client-sts'),
    import('@aws-sdk/client-ecr'),
    import('@aws-sdk/client-ecs'),
    import('@aws-sdk/client-elastic-load-balancing-v2'),
    import('@aws-sdk/client-cloudwatch-logs'),
    import('@aws-sdk/client-cloudwatch'),
    import('@aws-sdk/client-ssm'),
    import('@aws-sdk/client-secrets-manager'),
    import('@aws-sdk/client-cloudformation'),
  ]);
  const credentials = providers.fromNodeProviderChain(settings.profile ? { profile: settings.profile } : {});
  const shared = clientConfig(settings, credentials);
  const stsClient = new sts.STSClient(shared);
  let region: string;
  try {
    region = await stsClient.config.region();
  } catch {
    throw new UsageError('no AWS region for this environment', 'set region in berth.yml (environments.<env>.region), pass --region, or export AWS_REGION');
  }
  const withRegion = { ...shared, region };
  return {
    settings,
    region,
    clientOptions: withRegion,
    sts: stsClient,
    ecr: new ecr.ECRClient(withRegion),
    ecs: new ecs.ECSClient(withRegion),
    elb: new elb.ElasticLoadBalancingV2Client(withRegion),
    logs: new logs.CloudWatchLogsClient(withRegion),
    cloudwatch: new cloudwatch.CloudWatchClient(withRegion),
    ssm: new ssm.SSMClient(withRegion),
    secrets: new secrets.SecretsManagerClient(withRegion),
    cloudformation: new cloudformation.CloudFormationClient(withRegion),
  };
}
