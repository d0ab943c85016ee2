/**
 * The berth CLI on an AWS environment, end to end, against a small AWS stand-in on 127.0.0.1 reached
 * through AWS_ENDPOINT_URL (STS, Secrets Manager, SSM, CloudFormation): account and region said before
 * anything changes, secrets stored without ever being printed, a deploy refused while a declared secret
 * has no value, status and releases of a never-deployed environment, and clear errors.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBerth, ROOT } from './local-support.js';

const PORT = 15092;
const CANARY = 'canary-cli-8d2f-secret-value';
const secrets = new Map<string, { value: string; changed: number }>();
const bodies: string[] = [];
// Release 1 was recorded before berth kept task definitions in the record; release 2 names its task definition.
const STAGE_RELEASES = [1, 2, 3].map((number) => ({
  number, image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/berth/aws-cli@sha256:${String(number).repeat(64)}`, digest: `sha256:${String(number).repeat(64)}`,
  createdAt: `2026-11-2${number}T10:00:00.000Z`, createdBy: 'Deploy/alice', status: number === 3 ? 'deployed' : 'superseded',
  ...(number === 2 ? { services: [{ name: 'web', taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/berth-aws-cli-stage:2' }] } : {}),
}));
/** A value of release 2's env: names of changes are printed, values never. */
const RELEASE_TWO_VALUE = 'release-two-mode-value';
let server: Server;
let dir: string;

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(body);
}

/** Just enough of STS, Secrets Manager, SSM and CloudFormation for these commands. */
function fakeAws(target: string | undefined, body: string, response: ServerResponse): void {
  const json = (status: number, value: unknown) => reply(response, status, 'application/x-amz-json-1.1', JSON.stringify(value));
  if (!target && body.includes('Action=GetCallerIdentity')) {
    return reply(response, 200, 'text/xml', '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/Deploy/alice</Arn><UserId>AROA:alice</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
  }
  if (!target && body.includes('Action=DescribeStacks')) {
    return reply(response, 400, 'text/xml', '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id berth-aws-cli-prod does not exist</Message></Error><RequestId>2</RequestId></ErrorResponse>');
  }
  const input = body ? JSON.parse(body) as Record<string, unknown> : {};
  switch (target) {
    case 'secretsmanager.PutSecretValue': {
      const id = String(input.SecretId);
      if (!secrets.has(id)) return json(400, { __type: 'ResourceNotFoundException', message: 'Secrets Manager can\'t find the specified secret.' });
      secrets.set(id, { value: String(input.SecretString), changed: Date.now() / 1000 });
      return json(200, { ARN: id, Name: id });
    }
    case 'secretsmanager.CreateSecret':
      secrets.set(String(input.Name), { value: String(input.SecretString), changed: Date.now() / 1000 });
      return json(200, { ARN: input.Name, Name: input.Name });
    case 'secretsmanager.ListSecrets':
      return json(200, { SecretList: [...secrets].map(([name, secret]) => ({ Name: name, LastChangedDate: secret.changed, SecretVersionsToStages: { v1: ['AWSCURRENT'] } })) });
    case 'AmazonSSM.GetParametersByPath':
      // Environment stage has two releases (for rollback); the others none.
      return json(200, { Parameters: input.Path === '/berth/aws-cli/stage/releases' ? STAGE_RELEASES.map((release) => ({ Name: `/berth/aws-cli/stage/releases/00000${release.number}`, Value: JSON.stringify(release) })) : [] });
    case 'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition':
      return json(200, {
        taskDefinition: {
          taskDefinitionArn: input.taskDefinition,
          containerDefinitions: [{ name: 'app', environment: [{ name: 'MODE', value: RELEASE_TWO_VALUE }], secrets: ['STRIPE_KEY', 'OLD_TOKEN'].map((name) => ({ name, valueFrom: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:berth/aws-cli/stage/${name}-a1B2c3` })) }],
        },
      });
    default:
      return json(400, { __type: 'UnknownOperationException', message: `the stand-in does not know ${target}` });
  }
}

function berth(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), '--config', join(dir, 'berth.yml'), ...args], {
      cwd: dir,
      env: { ...process.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${PORT}`, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', AWS_MAX_ATTEMPTS: '1', AWS_PROFILE: '', AWS_REGION: '', AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1', CI: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    child.stdin.end(options.input ?? '');
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

beforeAll(async () => {
  buildBerth();
  dir = mkdtempSync(join(tmpdir(), 'aws-cli-'));
  writeFileSync(join(dir, 'berth.yml'), [
    'app: aws-cli', 'service:', '  port: 8000', '  secrets: [STRIPE_KEY, SESSION_SECRET]',
    `  image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/berth/aws-cli@sha256:${'ab'.repeat(32)}`,
    'environments:', '  prod:', '    region: eu-west-1', '    account: "111122223333"', '  other:', '    region: eu-west-1', '    account: "999999999999"', '  stage:', '    region: eu-west-1', '    account: "111122223333"',
  ].join('\n'));
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk; });
    request.on('end', () => {
      bodies.push(body);
      fakeAws(request.headers['x-amz-target'] as string | undefined, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve));
}, 120_000);

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('berth on an AWS environment through AWS_ENDPOINT_URL', () => {
  it('stores a secret from stdin in Secrets Manager without printing it; list shows names only', async () => {
    const set = await berth(['secrets', 'set', 'STRIPE_KEY', '--env', 'prod'], { input: CANARY });
    expect(set.stderr).toBe(`  AWS account 111122223333 (Deploy/alice) in eu-west-1 via AWS_ENDPOINT_URL http://127.0.0.1:${PORT}\n`);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('Set STRIPE_KEY for aws-cli (prod)\n');
    expect(secrets.get('berth/aws-cli/prod/STRIPE_KEY')?.value).toBe(CANARY);

    const list = await berth(['secrets', 'list', '--env', 'prod', '--json']);
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout) as { secrets: Array<{ name: string; declared: boolean; lastChanged?: string }> };
    expect(parsed.secrets.map((s) => [s.name, s.declared, Boolean(s.lastChanged)])).toEqual([['STRIPE_KEY', true, true], ['SESSION_SECRET', true, false]]);
    expect(`${set.stdout}${set.stderr}${list.stdout}${list.stderr}`).not.toContain(CANARY);
  }, 60_000);

  it('deploy says which account and region, then refuses while a declared secret has no value', async () => {
    const deploy = await berth(['deploy', '--env', 'prod', '--yes']);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain(`AWS account 111122223333 (Deploy/alice) in eu-west-1 via AWS_ENDPOINT_URL http://127.0.0.1:${PORT}`);
    expect(deploy.stderr).toContain('error: berth.yml declares secret without a value in Secrets Manager for environment prod: SESSION_SECRET');
    expect(deploy.stderr).toContain('hint: berth secrets set SESSION_SECRET --env prod');
    expect(deploy.stderr).not.toContain(CANARY);
  }, 60_000);

  it('with --json the account line still goes to stderr and stdout holds only the document', async () => {
    const deploy = await berth(['deploy', '--env', 'prod', '--yes', '--json']);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain('AWS account 111122223333 (Deploy/alice) in eu-west-1');
    expect(deploy.stdout).toBe('');
  }, 60_000);

  it("rollback restores the release's env and secret names from its task definition, says what changed by name, and stops on its missing secrets", async () => {
    const rollback = await berth(['rollback', '--env', 'stage', '--yes']);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain("berth.yml changed since release 2: service.env MODE removed; service.secrets OLD_TOKEN removed, SESSION_SECRET added; rollback runs release 2's env");
    expect(rollback.stderr).toContain("error: release 2 needs the secrets OLD_TOKEN, STRIPE_KEY, which have no value for environment stage now (a rollback runs the release's secret names with today's values); nothing was changed");
    expect(rollback.stderr).toContain('hint: berth secrets set OLD_TOKEN --env stage; berth secrets set STRIPE_KEY --env stage');
    expect(rollback.stderr).not.toContain(RELEASE_TWO_VALUE);
  }, 60_000);

  it("rollback to a release recorded without task definitions says it runs today's env before anything deploys", async () => {
    const rollback = await berth(['rollback', '--env', 'stage', '--to', '1', '--yes']);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain("release 1's env could not be restored (it was recorded without its task definitions): it runs with today's berth.yml env and secret names");
    // It stops on today's declared secrets, which such a rollback needs.
    expect(rollback.stderr).toContain('error: berth.yml declares secrets without a value in Secrets Manager for environment stage: STRIPE_KEY, SESSION_SECRET');
  }, 60_000);

  it('status and releases of a never-deployed environment', async () => {
    const status = await berth(['status', '--env', 'prod', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ app: 'aws-cli', env: 'prod', target: 'aws', tasks: { desired: 0 }, notes: ['stack berth-aws-cli-prod does not exist in eu-west-1: not deployed yet (`berth deploy --env prod`)'] });
    const releases = await berth(['releases', '--env', 'prod', '--json']);
    expect(releases.code).toBe(0);
    expect(JSON.parse(releases.stdout)).toMatchObject({ releases: [] });
  }, 60_000);

  it('refuses credentials of another account than berth.yml pins, and a --region that contradicts it', async () => {
    const other = await berth(['status', '--env', 'other']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('environment other belongs to AWS account 999999999999');
    const region = await berth(['status', '--env', 'prod', '--region', 'us-east-1']);
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('--region us-east-1 differs from region eu-west-1 of environment prod');
  }, 60_000);

  it('an unreachable endpoint is a clear error, not a stack trace', async () => {
    const status = await berth(['status', '--env', 'prod'], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:15091' } });
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^error: finding the AWS identity \(sts:GetCallerIdentity\): could not reach AWS at AWS_ENDPOINT_URL=http:\/\/127.0.0.1:15091/);
    expect(status.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('--profile reaches the credential chain', async () => {
    const status = await berth(['status', '--env', 'prod', '--profile', 'aws-test-nosuch'], { env: { HOME: dir } });
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('no AWS credentials found for profile aws-test-nosuch');
  }, 60_000);

  it('berth diff is for AWS environments', async () => {
    const diff = await berth(['diff']);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toContain('berth diff compares AWS stacks');
  }, 60_000);

  it('only the Secrets Manager requests carried the secret value', () => {
    const carrying = bodies.filter((body) => body.includes(CANARY));
    // PutSecretValue (not found yet), then CreateSecret: both to Secrets Manager, nothing else.
    expect(carrying).toHaveLength(2);
    expect(carrying[0]).toContain('"SecretId":"berth/aws-cli/prod/STRIPE_KEY"');
    expect(carrying[1]).toContain('"Name":"berth/aws-cli/prod/STRIPE_KEY"');
  });
});
