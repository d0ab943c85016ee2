/**
 * The real toolkit-lib wiring, as far as it goes offline: the plan's cloud assembly read with
 * fromAssemblyDirectory, and a deploy sent to an AWS_ENDPOINT_URL on 127.0.0.1 that is an
 * unhelpful emulator or nothing at all: it must end with a clear message, not hang.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import type { ResolvedConfig } from '../../config/model.js';
import { OperationError } from '../../errors.js';
import { synthesizeEnvironment, type SynthResult } from '../../plan/aws/synthesize.js';
import { explainToolkitError, resourceEventFrom, securityText, ToolkitStackDeployer } from './toolkit-deployer.js';

describe('toolkit messages', () => {
  it('turns a stack activity into a resource event', () => {
    expect(resourceEventFrom({
      event: { StackName: 'berth-shop-prod', LogicalResourceId: 'ServiceD69D759B', ResourceType: 'AWS::ECS::Service', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'Resource handler returned message: "Invalid request"' },
      progress: { formatted: ' 12/30 ' },
    })).toEqual({ stack: 'berth-shop-prod', logicalId: 'ServiceD69D759B', resourceType: 'AWS::ECS::Service', status: 'CREATE_FAILED', reason: 'Resource handler returned message: "Invalid request"', progress: '12/30' });
    expect(resourceEventFrom({})).toBeUndefined();
  });

  it('keeps the diff of the deploy question and drops the question', () => {
    expect(securityText('IAM Statement Changes\n+ allow ecr:*\n\nStack includes security-sensitive updates. Do you wish to deploy these changes?')).toBe('IAM Statement Changes\n+ allow ecr:*');
  });

  it('explains cancellations, unreachable endpoints and CloudFormation failures', () => {
    expect(explainToolkitError('deploying stack s', Object.assign(new Error('Deployment cancelled'), { name: 'DeployAborted' }), []).message).toBe('deploying stack s: cancelled, nothing was changed');
    expect(explainToolkitError('deploying stack s', new Error('Stack failed: Service CREATE_FAILED'), ['Service: CREATE_FAILED: circuit breaker']).message).toBe('deploying stack s failed:\n  Stack failed: Service CREATE_FAILED\n  Service: CREATE_FAILED: circuit breaker');
  });
});

describe('toolkit-lib against an AWS_ENDPOINT_URL on 127.0.0.1', () => {
  const saved = { ...process.env };
  let dir: string;
  let synth: SynthResult;
  let config: ResolvedConfig;
  let server: Server;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aws-toolkit-'));
    writeFileSync(join(dir, 'berth.yml'), [
      'app: aws-tk', 'region: us-east-1', 'service:', '  port: 8000',
      `  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/aws-tk@sha256:${'ab'.repeat(32)}`,
      'environments:', '  prod:', '    account: "123456789012"', '    alarms: false',
    ].join('\n'));
    config = loadConfig({ config: join(dir, 'berth.yml'), env: 'prod' });
    synth = await synthesizeEnvironment(config, { outdir: join(dir, 'cdk.out') });
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      request.resume();
      request.on('end', () => {
        response.writeHead(403, { 'content-type': 'text/xml' });
        response.end('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>');
      });
    });
    await new Promise<void>((resolve) => server.listen(15094, '127.0.0.1', resolve));
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '2', AWS_EC2_METADATA_DISABLED: 'true' });
    delete process.env.AWS_PROFILE;
  }, 120_000);

  afterAll(() => {
    process.env = saved;
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploying to a closed port fails with a clear message instead of hanging', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:15093';
    const deployer = new ToolkitStackDeployer({ maxAttempts: 2, endpoint: process.env.AWS_ENDPOINT_URL }, 'us-east-1');
    const started = Date.now();
    const error = await deployer.deploy({ directory: synth.assemblyDir, rebuild: async () => (await synthesizeEnvironment(config, { outdir: join(dir, 'cdk.out') })).assemblyDir }, synth.stackNames[1]!, { onEvent: () => undefined, confirmSecurityChanges: async () => true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as Error).message).toMatch(/^deploying stack berth-aws-tk-prod/);
    expect((error as Error).message).toMatch(/AWS_ENDPOINT_URL=http:\/\/127.0.0.1:15093/);
    expect(Date.now() - started).toBeLessThan(120_000);
  }, 150_000);

  it('sends its requests to AWS_ENDPOINT_URL (toolkit-lib\'s SDK honours it) and reports the refusal', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:15094';
    const deployer = new ToolkitStackDeployer({ maxAttempts: 2, endpoint: process.env.AWS_ENDPOINT_URL }, 'us-east-1');
    const error = await deployer.deploy({ directory: synth.assemblyDir, rebuild: async () => (await synthesizeEnvironment(config, { outdir: join(dir, 'cdk.out') })).assemblyDir }, synth.stackNames[1]!, { onEvent: () => undefined, confirmSecurityChanges: async () => true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(requests.length).toBeGreaterThan(0);
    expect((error as Error).message).toBe('deploying stack berth-aws-tk-prod: the credentials could not be confirmed for account 123456789012 (sts:GetCallerIdentity failed at AWS_ENDPOINT_URL=http://127.0.0.1:15094)');
  }, 150_000);
});
