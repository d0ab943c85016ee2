/** Which AWS account and identity berth acts as, said before anything changes; refuses the wrong account. */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { ResolvedConfig } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { awsCall } from './aws-errors.js';
import type { AwsSettings } from './aws-session.js';

export interface AwsIdentity {
  account: string;
  /** The IAM principal, e.g. arn:aws:sts::123456789012:assumed-role/Deploy/alice. */
  arn: string;
}

export async function callerIdentity(sts: STSClient): Promise<AwsIdentity> {
  const answer = await awsCall('finding the AWS identity (sts:GetCallerIdentity)', () => sts.send(new GetCallerIdentityCommand({})));
  if (!answer.Account || !answer.Arn) throw new UsageError('sts:GetCallerIdentity answered without an account', 'check AWS_ENDPOINT_URL: the endpoint does not behave like AWS STS');
  return { account: answer.Account, arn: answer.Arn };
}

/** Refuses to act when berth.yml pins an account and the credentials belong to another (pure). */
export function checkAccount(config: Pick<ResolvedConfig, 'account' | 'env' | 'file'>, identity: AwsIdentity): void {
  if (config.account && config.account !== identity.account) {
    throw new UsageError(
      `environment ${config.env} belongs to AWS account ${config.account} (${config.file}), but the credentials are for account ${identity.account} (${identity.arn})`,
      'switch credentials (--profile NAME or AWS_PROFILE) to the account in berth.yml',
    );
  }
}

/** The short name of the principal for release records: the role session or user name. */
export function principalName(arn: string): string {
  const parts = arn.split(':').pop()?.split('/') ?? [];
  return parts.length > 1 ? parts.slice(1).join('/') : arn;
}

/** One line: "AWS account 123456789012 (alice) in eu-west-1 via http://127.0.0.1:4566". */
export function describeAwsTarget(identity: AwsIdentity, region: string, settings: Pick<AwsSettings, 'endpoint' | 'profile'>): string {
  const who = principalName(identity.arn);
  const profile = settings.profile ? `, profile ${settings.profile}` : '';
  const endpoint = settings.endpoint ? ` via AWS_ENDPOINT_URL ${settings.endpoint}` : '';
  return `AWS account ${identity.account} (${who}${profile}) in ${region}${endpoint}`;
}
