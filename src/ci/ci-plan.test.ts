import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../config/model.js';
import { planCi } from './ci-plan.js';

function env(name: string, extra: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return { env: name, app: 'shop', services: [{ name: 'web', kind: 'web', route: {}, arch: 'x86_64', ownImage: false, secrets: [] }], ...extra } as unknown as ResolvedConfig;
}

const base = { app: 'shop', repository: 'acme/shop', branch: 'main', configPath: 'berth.yml', berth: { kind: 'project' as const } };

describe('planCi', () => {
  it('puts the stack in the first environment\'s region and the account berth.yml names, one role per environment and template', () => {
    const plan = planCi({ ...base, environments: [env('staging', { region: 'eu-west-1' }), env('prod', { region: 'eu-central-1', account: '111122223333' })], preview: { template: 'preview', prefix: 'pr-', instance: env('pr-1', { region: 'eu-west-1' }) } });
    expect(plan.stack).toEqual({
      app: 'shop', repository: 'acme/shop', account: '111122223333', region: 'eu-west-1',
      roles: [
        { name: 'staging', environments: 'staging', region: 'eu-west-1' },
        { name: 'prod', environments: 'prod', region: 'eu-central-1' },
        { name: 'preview', environments: 'pr-*', region: 'eu-west-1', ephemeral: true },
      ],
    });
    expect(plan.workflows.map((workflow) => workflow.path)).toEqual(['.github/workflows/berth.yml', '.github/workflows/berth-preview.yml']);
    // The account berth.yml names for one environment is the stack's, so every role ARN carries it.
    expect(JSON.stringify(plan.workflows[0]!.workflow)).toContain('arn:aws:iam::111122223333:role/berth-shop-ci-staging');
  });

  it('refuses environments of different accounts: one CI stack lives in one account', () => {
    expect(() => planCi({ ...base, environments: [env('staging', { account: '111122223333' }), env('prod', { account: '444455556666' })] }))
      .toThrow('the CI stack lives in one AWS account, but the environments declare several (staging: 111122223333, prod: 444455556666)');
  });
});
