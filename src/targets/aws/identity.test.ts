import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OperationError, UsageError } from '../../errors.js';
import { callerIdentity, checkAccount, describeAwsTarget, principalName } from './identity.js';

const sts = mockClient(STSClient);
beforeEach(() => sts.reset());

describe('callerIdentity', () => {
  it('returns account and principal', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/alice' });
    expect(await callerIdentity(new STSClient({ region: 'eu-west-1' }))).toEqual({ account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/alice' });
  });

  it('explains expired credentials', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }));
    const error = await callerIdentity(new STSClient({ region: 'eu-west-1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toMatch(/credentials have expired/);
  });

  it('explains throttling the SDK gave up on', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { attempts: 6 } }));
    await expect(callerIdentity(new STSClient({ region: 'eu-west-1' }))).rejects.toThrow(/gave up after 6 attempts/);
  });
});

describe('checkAccount', () => {
  const identity = { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/bob' };
  it('refuses credentials of another account than berth.yml pins', () => {
    expect(() => checkAccount({ account: '999999999999', env: 'prod', file: '/a/berth.yml' }, identity)).toThrow(UsageError);
    expect(() => checkAccount({ account: '999999999999', env: 'prod', file: '/a/berth.yml' }, identity)).toThrow(/belongs to AWS account 999999999999.*credentials are for account 123456789012/);
  });
  it('accepts the pinned account or no pin', () => {
    expect(() => checkAccount({ account: '123456789012', env: 'prod', file: 'x' }, identity)).not.toThrow();
    expect(() => checkAccount({ account: undefined, env: 'prod', file: 'x' }, identity)).not.toThrow();
  });
  it('describes the target in one line', () => {
    expect(principalName('arn:aws:sts::1:assumed-role/Deploy/alice')).toBe('Deploy/alice');
    expect(describeAwsTarget(identity, 'eu-west-1', { endpoint: 'http://127.0.0.1:4566', profile: 'work' })).toBe('AWS account 123456789012 (bob, profile work) in eu-west-1 via AWS_ENDPOINT_URL http://127.0.0.1:4566');
  });
});
