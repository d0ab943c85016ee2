import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { callerIdentity } from './identity.js';
import { clientConfig, createAwsClients, resolveAwsSettings } from './aws-session.js';

const config = { region: undefined as string | undefined, env: 'prod', file: '/app/berth.yml' };

describe('resolveAwsSettings', () => {
  it('prefers --region, then berth.yml, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveAwsSettings(config, { BERTH_AWS_REGION: 'eu-west-1', AWS_REGION: 'us-east-1' })).toMatchObject({ region: 'eu-west-1', regionSource: '--region' });
    expect(resolveAwsSettings({ ...config, region: 'eu-central-1' }, { AWS_REGION: 'us-east-1' })).toMatchObject({ region: 'eu-central-1', regionSource: 'berth.yml' });
    expect(resolveAwsSettings(config, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' })).toMatchObject({ region: 'us-east-1', regionSource: 'AWS_REGION' });
    expect(resolveAwsSettings(config, { AWS_DEFAULT_REGION: 'us-west-2' })).toMatchObject({ region: 'us-west-2' });
    expect(resolveAwsSettings(config, {}).region).toBeUndefined();
  });

  it('refuses a --region that contradicts berth.yml', () => {
    expect(() => resolveAwsSettings({ ...config, region: 'eu-central-1' }, { BERTH_AWS_REGION: 'us-east-1' })).toThrow(UsageError);
  });

  it('carries profile, endpoint and retry attempts', () => {
    const settings = resolveAwsSettings(config, { AWS_PROFILE: 'work', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_MAX_ATTEMPTS: '3' });
    expect(settings).toMatchObject({ profile: 'work', endpoint: 'http://127.0.0.1:4566', maxAttempts: 3 });
    expect(resolveAwsSettings(config, {}).maxAttempts).toBe(6);
    expect(clientConfig(settings)).toEqual({ maxAttempts: 3, retryMode: 'standard' });
  });
});

describe('createAwsClients', () => {
  it('sends requests to AWS_ENDPOINT_URL, signed with credentials from the environment', async () => {
    const previous = { ...process.env };
    const seen: Array<{ url?: string; authorization?: string; body: string }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        seen.push({ url: request.url, authorization: request.headers.authorization, body });
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/alice</Arn><UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
      });
    });
    await new Promise<void>((resolve) => server.listen(15097, '127.0.0.1', resolve));
    Object.assign(process.env, { AWS_ENDPOINT_URL: 'http://127.0.0.1:15097', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' });
    delete process.env.AWS_PROFILE;
    try {
      const clients = await createAwsClients(resolveAwsSettings({ ...config, region: 'eu-west-3' }, process.env));
      expect(clients.region).toBe('eu-west-3');
      expect(await callerIdentity(clients.sts)).toEqual({ account: '111122223333', arn: 'arn:aws:iam::111122223333:user/alice' });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.body).toContain('Action=GetCallerIdentity');
      expect(seen[0]!.authorization).toContain('Credential=AKIDEXAMPLE/');
      expect(seen[0]!.authorization).toContain('/eu-west-3/sts/');
      expect(await clients.ssm.config.maxAttempts()).toBe(6);
    } finally {
      process.env = previous;
      server.close();
    }
  });
});

describe('throttling', () => {
  it('the SDK retries throttled calls with backoff, and berth says so when it gives up', async () => {
    const previous = { ...process.env };
    let calls = 0;
    let throttleFirst = 2;
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        calls += 1;
        if (calls <= throttleFirst) {
          response.writeHead(400, { 'content-type': 'text/xml' });
          response.end('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>');
          return;
        }
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/alice</Arn><UserId>A</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
      });
    });
    await new Promise<void>((resolve) => server.listen(15096, '127.0.0.1', resolve));
    Object.assign(process.env, { AWS_ENDPOINT_URL: 'http://127.0.0.1:15096', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' });
    delete process.env.AWS_PROFILE;
    try {
      const patient = await createAwsClients(resolveAwsSettings({ ...config, region: 'eu-west-1' }, { ...process.env, AWS_MAX_ATTEMPTS: '3' }));
      expect((await callerIdentity(patient.sts)).account).toBe('111122223333');
      expect(calls).toBe(3);

      calls = 0;
      throttleFirst = 10;
      const impatient = await createAwsClients(resolveAwsSettings({ ...config, region: 'eu-west-1' }, { ...process.env, AWS_MAX_ATTEMPTS: '2' }));
      await expect(callerIdentity(impatient.sts)).rejects.toThrow('finding the AWS identity (sts:GetCallerIdentity): AWS kept throttling the requests and berth gave up after 2 attempts with backoff (Throttling)');
      expect(calls).toBe(2);
    } finally {
      process.env = previous;
      server.close();
    }
  }, 30_000);
});

