/**
 * `berth ci github` as a user runs it, in a git repository whose origin is on GitHub: it writes the workflows at
 * the repository root, says so, plans the CI stack; an edited workflow is never replaced without --force, and the
 * diff is shown either way.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasStackTrace, runBerth } from './cli.js';
import { buildBerth } from './local-support.js';

let repo: string;

beforeAll(() => {
  buildBerth();
  repo = mkdtempSync(join(tmpdir(), 'berth-cli-ci-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  execFileSync('git', ['remote', 'add', 'origin', 'git@github.com:acme/shop.git'], { cwd: repo });
  mkdirSync(join(repo, 'services', 'shop'), { recursive: true });
  writeFileSync(join(repo, 'services', 'shop', 'Dockerfile'), 'FROM python:3.12-slim\n');
  writeFileSync(join(repo, 'services', 'shop', 'berth.yml'), [
    'app: shop',
    'region: eu-west-1',
    'service: { port: 8000, secrets: [STRIPE_KEY] }',
    'environments:',
    '  staging: {}',
    '  prod: {}',
    '  preview: { template: "pr-*", service: { spot: true } }',
  ].join('\n'));
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('berth ci github', () => {
  it('writes the workflows at the repository root, refuses to replace an edited one without --force, and shows the diff', async () => {
    const config = join('services', 'shop', 'berth.yml');
    const first = await runBerth(['ci', 'github', '--config', config, '--env', 'staging', '--env', 'prod', '--previews', '--json'], { cwd: repo, timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { repository: string; root: string; environments: string[]; workflows: Array<{ path: string; status: string }>; stack: { name: string; roles: Array<{ name: string; subject: string }>; nagFindings: unknown[] }; variables: string[] };
    expect(report.repository).toBe('acme/shop');
    expect(report.environments).toEqual(['staging', 'prod']);
    expect(report.workflows).toEqual([
      expect.objectContaining({ path: '.github/workflows/berth.yml', status: 'written' }),
      expect.objectContaining({ path: '.github/workflows/berth-preview.yml', status: 'written' }),
    ]);
    expect(report.stack.name).toBe('berth-shop-ci');
    expect(report.stack.roles.map((role) => `${role.name} ${role.subject}`)).toEqual([
      'berth-shop-ci-staging repo:acme/shop:environment:staging',
      'berth-shop-ci-prod repo:acme/shop:environment:prod',
      'berth-shop-ci-preview repo:acme/shop:environment:preview',
    ]);
    expect(report.stack.nagFindings).toEqual([]);
    expect(report.variables).toEqual(['AWS_ACCOUNT_ID']);
    const workflowFile = join(repo, '.github', 'workflows', 'berth.yml');
    const written = readFileSync(workflowFile, 'utf8');
    expect((parse(written) as { env: unknown }).env).toEqual({ BERTH_CONFIG: 'services/shop/berth.yml' });
    expect(written).toContain('npm install --global berth@');
    expect(readFileSync(join(repo, '.github', 'workflows', 'berth-preview.yml'), 'utf8')).toContain('STRIPE_KEY: ${{ secrets.STRIPE_KEY }}');

    appendFileSync(workflowFile, '# edited by hand\n');
    const refused = await runBerth(['ci', 'github', '--config', config, '--env', 'staging', '--env', 'prod', '--previews'], { cwd: repo, timeoutMs: 120_000 });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('.github/workflows/berth.yml exists and differs; not replaced:\n--- a/.github/workflows/berth.yml\n+++ b/.github/workflows/berth.yml\n');
    expect(refused.stdout).toContain('-# edited by hand');
    expect(refused.stdout).toContain('.github/workflows/berth-preview.yml is up to date');
    expect(refused.stderr).toContain('error: .github/workflows/berth.yml exists and differs from what berth would write; nothing was replaced');
    expect(refused.stderr).toContain('hint: review the diff above, then run again with --force to replace it');
    expect(hasStackTrace(refused.stderr)).toBe(false);
    expect(readFileSync(workflowFile, 'utf8')).toBe(`${written}# edited by hand\n`);

    const forced = await runBerth(['ci', 'github', '--config', config, '--env', 'staging', '--env', 'prod', '--previews', '--force'], { cwd: repo, timeoutMs: 120_000 });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('replaced .github/workflows/berth.yml (--force)');
    expect(readFileSync(workflowFile, 'utf8')).toBe(written);
    expect(existsSync(join(repo, 'services', 'shop', '.berth', 'ci', 'cdk.out', 'berth-shop-ci.template.json'))).toBe(true);
  }, 240_000);
});
