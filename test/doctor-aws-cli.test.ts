/**
 * `berth doctor` and `berth status` on an AWS environment, end to end against a small STS/CloudFormation
 * stand-in on 127.0.0.1 (AWS_ENDPOINT_URL): the doctor uses the one AWS session (so --region reaches it, signed
 * for that region), fails without credentials as a deploy would, and no command prints the AWS SDK's
 * NodeVersionSupportWarning.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBerth, ROOT } from './local-support.js';

const PORT = 15093;
let server: Server;
let dir: string;
/** The region each signed request was signed for (from its Authorization header's credential scope). */
const signedFor: string[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** No credentials anywhere: no keys, no shared files, no instance metadata, no profile. */
const NO_CREDENTIALS = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '', AWS_CONTAINER_CREDENTIALS_FULL_URI: '', AWS_WEB_IDENTITY_TOKEN_FILE: '' };

function berth(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), '--config', join(dir, 'berth.yml'), ...args], {
      cwd: dir,
      env: {
        ...process.env,
        ...NO_CREDENTIALS,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${PORT}`,
        AWS_MAX_ATTEMPTS: '1',
        AWS_REGION: '',
        AWS_DEFAULT_REGION: '',
        BERTH_STATE_DIR: join(dir, '.state'),
        BERTH_CONFIG_DIR: join(dir, '.config'),
        NO_COLOR: '1',
        CI: '1',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    child.stdin.end('');
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const WITH_KEYS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' };

interface Check {
  id: string;
  status: string;
  message: string;
}

beforeAll(async () => {
  buildBerth();
  dir = mkdtempSync(join(tmpdir(), 'doctor-aws-'));
  // No region anywhere in berth.yml: --region or AWS_REGION has to supply it.
  writeFileSync(join(dir, 'berth.yml'), ['app: dr-aws', 'service:', '  port: 8000', `  image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/berth-dr-aws@sha256:${'cd'.repeat(32)}`, 'environments:', '  prod: {}'].join('\n'));
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk; });
    request.on('end', () => {
      const scope = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
      if (scope) signedFor.push(scope);
      if (body.includes('Action=GetCallerIdentity')) {
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/alice</Arn><UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
        return;
      }
      if (body.includes('Action=DescribeStacks')) {
        response.writeHead(400, { 'content-type': 'text/xml' });
        response.end('<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id berth-dr-aws-prod does not exist</Message></Error><RequestId>2</RequestId></ErrorResponse>');
        return;
      }
      if (request.headers['x-amz-target'] === 'AmazonSSM.GetParametersByPath') {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ Parameters: [] }));
        return;
      }
      // Everything else (IAM simulation, quotas): not allowed, which the doctor reports as a warning.
      response.writeHead(403, { 'content-type': 'text/xml' });
      response.end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:SimulatePrincipalPolicy</Message></Error><RequestId>3</RequestId></ErrorResponse>');
    });
  });
  await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve));
}, 300_000);

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('berth doctor on an AWS environment', () => {
  it('takes the region from --region through the one AWS session, and signs for it', async () => {
    signedFor.length = 0;
    const run = await berth(['doctor', '--env', 'prod', '--region', 'us-east-1', '--no-docker', '--json'], WITH_KEYS);
    const checks = (JSON.parse(run.stdout) as { checks: Check[] }).checks;
    expect(checks.find((check) => check.id === 'aws-credentials')).toMatchObject({ status: 'pass', message: 'AWS account 111122223333, region us-east-1, as arn:aws:iam::111122223333:user/alice' });
    expect(signedFor.length).toBeGreaterThan(0);
    expect(new Set(signedFor)).toEqual(new Set(['us-east-1']));
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  }, 60_000);

  it('fails (exit 1) without credentials, as a deploy would', async () => {
    const run = await berth(['doctor', '--env', 'prod', '--no-docker', '--json'], { AWS_REGION: 'us-east-1' });
    expect(run.code).toBe(1);
    const checks = (JSON.parse(run.stdout) as { checks: Check[] }).checks;
    expect(checks.find((check) => check.id === 'aws-credentials')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^no AWS credentials/) });
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  }, 60_000);

  it('reports a missing region as a failing check, with the other checks still there', async () => {
    const run = await berth(['doctor', '--env', 'prod', '--no-docker', '--json'], WITH_KEYS);
    expect(run.code).toBe(1);
    const checks = (JSON.parse(run.stdout) as { checks: Check[] }).checks;
    expect(checks.find((check) => check.id === 'aws-credentials')).toMatchObject({ status: 'fail', message: 'no AWS region for this environment' });
    expect(checks.map((check) => check.id)).toContain('env-secret-values');
  }, 60_000);
});

describe('the AWS SDK\'s Node version notice', () => {
  it('is never printed by status either', async () => {
    const run = await berth(['status', '--env', 'prod', '--region', 'us-east-1'], WITH_KEYS);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dr-aws');
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|will require node/);
  }, 60_000);
});
