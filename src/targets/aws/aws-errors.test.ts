import { describe, expect, it } from 'vitest';
import { OperationError } from '../../errors.js';
import { awsCall, explainAwsError, isNotFound, isThrottling } from './aws-errors.js';

function sdkError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('explainAwsError', () => {
  it('says the credentials expired and how to refresh them', () => {
    const error = explainAwsError('reading releases', sdkError('ExpiredTokenException', 'The security token included in the request is expired'));
    expect(error.message).toBe('reading releases: the AWS credentials have expired (ExpiredTokenException)');
    expect(error.hint).toMatch(/aws sso login/);
  });

  it('says no credentials were found and names the ways to provide them', () => {
    const error = explainAwsError('finding the AWS identity', sdkError('CredentialsProviderError', 'Could not load credentials from any providers'));
    expect(error.message).toMatch(/no AWS credentials found/);
    expect(error.hint).toMatch(/AWS_PROFILE/);
  });

  it('reports throttling the SDK gave up on, with the number of attempts', () => {
    const error = explainAwsError('listing secrets', sdkError('ThrottlingException', 'Rate exceeded', { $metadata: { attempts: 6 } }));
    expect(error.message).toBe('listing secrets: AWS kept throttling the requests and berth gave up after 6 attempts with backoff (ThrottlingException)');
    expect(isThrottling(sdkError('Foo', 'x', { $metadata: { httpStatusCode: 429 } }))).toBe(true);
  });

  it('names an unreachable emulator endpoint', () => {
    const previous = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:15099';
    try {
      const error = explainAwsError('deploying', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:15099'), { code: 'ECONNREFUSED' }));
      expect(error.message).toMatch(/could not reach AWS at AWS_ENDPOINT_URL=http:\/\/127.0.0.1:15099/);
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL; else process.env.AWS_ENDPOINT_URL = previous;
    }
  });

  it('keeps other service errors in their own words', () => {
    expect(explainAwsError('x', sdkError('ValidationError', 'Stack berth-a-prod does not exist')).message).toBe('x: ValidationError: Stack berth-a-prod does not exist');
    expect(isNotFound(sdkError('ValidationError', 'Stack berth-a-prod does not exist'))).toBe(true);
  });

  it('awsCall rethrows as OperationError', async () => {
    await expect(awsCall('y', () => Promise.reject(sdkError('AccessDeniedException', 'no')))).rejects.toBeInstanceOf(OperationError);
  });
});
