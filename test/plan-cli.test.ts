/** `berth plan` as a user runs it: no AWS credentials, no AWS configuration, nothing but berth.yml. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'berth.js');
const RADIO = join(ROOT, 'examples', 'radio', 'berth.yml');

function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_') && !name.startsWith('CDK_')) env[name] = value;
  env.HOME = mkdtempSync(join(tmpdir(), 'berth-plan-home-'));
  env.AWS_EC2_METADATA_DISABLED = 'true';
  return env;
}

async function berth(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: cleanEnvironment(), cwd: tmpdir() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('berth plan', () => {
  let json: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first: this test runs bin/berth.js');
    json = await berth(['plan', '--config', RADIO, '--env', 'prod', '--json']);
  });

  it('synthesizes without credentials into .berth/<env>/cdk.out beside berth.yml', () => {
    expect(json.stderr).not.toMatch(/credential|Unable to resolve AWS account/i);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as { env: string; stack: string; templates: string[]; resources: Record<string, number>; warnings: string[]; nagFindings: unknown[] };
    expect(plan.env).toBe('prod');
    expect(plan.stack).toBe('berth-radio-prod');
    expect(plan.templates).toEqual([
      join(ROOT, 'examples', 'radio', '.berth', 'prod', 'cdk.out', 'berth-radio-registry.template.json'),
      join(ROOT, 'examples', 'radio', '.berth', 'prod', 'cdk.out', 'berth-radio-prod.template.json'),
    ]);
    for (const template of plan.templates) expect(existsSync(template)).toBe(true);
    expect(plan.resources['AWS::ECS::Service']).toBe(1);
    expect(plan.resources['AWS::ElasticLoadBalancingV2::LoadBalancer']).toBeUndefined();
    expect(plan.nagFindings).toEqual([]);
    expect(plan.warnings.some((warning) => warning.includes('placeholder'))).toBe(true);
    expect(readFileSync(plan.templates[1]!, 'utf8')).toContain('sha256:0000');
  });

  it('points the local environment at the AWS ones', async () => {
    const local = await berth(['plan', '--config', RADIO]);
    expect(local.code).toBe(0);
    expect(local.stdout).toMatch(/--env <name> \(declared: prod\)/);
  });

  it('refuses an undeclared environment as a usage error', async () => {
    const result = await berth(['plan', '--config', RADIO, '--env', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('environment "nope" is not declared');
  });
});
