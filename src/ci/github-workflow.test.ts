import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../config/load.js';
import { parseGithubWorkflow } from '../test-support/workflow-parser.js';
import { planCi, PREVIEW_WORKFLOW_FILE, WORKFLOW_FILE, workflowHeader, type CiRequest } from './ci-plan.js';
import { concurrencyGroup, deployWorkflow, type Workflow } from './github-workflow.js';
import { PINNED_ACTIONS } from './pinned-actions.js';
import { previewWorkflow } from './preview-workflow.js';
import { workflowYaml } from './workflow-yaml.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NEWS_API = join(ROOT, 'examples', 'news-api', 'berth.yml');
const GOLDEN = join(import.meta.dirname, 'golden');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** `berth ci github --env staging --env prod [--previews]` for examples/news-api, in berth's own repository. */
function newsApiRequest(previews: boolean): CiRequest {
  const config = (env: string) => loadConfig({ config: NEWS_API, env });
  return {
    app: 'news-api',
    environments: [config('staging'), config('prod')],
    ...(previews ? { preview: { template: 'preview', prefix: 'pr-', instance: config('pr-1') } } : {}),
    repository: 'acme/news-api',
    branch: 'main',
    configPath: 'examples/news-api/berth.yml',
    berth: { kind: 'project' },
  };
}

/** The files written by `--env staging --env prod` (berth.yml) and by `... --previews` (berth-preview.yml). */
function newsApiFiles(): Record<string, string> {
  const files = (previews: boolean) => {
    const header = workflowHeader({ version, configPath: 'examples/news-api/berth.yml', environments: ['staging', 'prod'], branch: 'main', previews, stack: 'berth-news-api-ci' });
    return Object.fromEntries(planCi(newsApiRequest(previews)).workflows.map(({ path, workflow }) => [path, workflowYaml(workflow, header)]));
  };
  const plain = files(false);
  expect(Object.keys(plain)).toEqual([WORKFLOW_FILE]);
  return { [WORKFLOW_FILE]: plain[WORKFLOW_FILE]!, [PREVIEW_WORKFLOW_FILE]: files(true)[PREVIEW_WORKFLOW_FILE]! };
}

type Job = { steps: Array<Record<string, unknown>>; [key: string]: unknown };

function jobs(text: string): Record<string, Job> {
  return (parse(text) as { jobs: Record<string, Job> }).jobs;
}

const variants: Array<[string, Workflow]> = [
  ['one environment, package install', deployWorkflow({ app: 'shop', configPath: 'berth.yml', branch: 'trunk', environments: [{ name: 'prod' }], berth: { kind: 'package', version: '0.1.0' } })],
  ['three environments with accounts', deployWorkflow({ app: 'shop', configPath: 'deploy/berth.yml', branch: 'main', environments: [{ name: 'dev', account: '111122223333', region: 'eu-west-1' }, { name: 'staging', region: 'eu-west-1' }, { name: 'prod', account: '111122223333' }], berth: { kind: 'project' } })],
  ['previews with secrets', previewWorkflow({ app: 'shop', configPath: 'berth.yml', branch: 'main', template: { name: 'preview', prefix: 'pr-' }, secrets: ['API_KEY', 'SESSION_SECRET'], berth: { kind: 'package', version: '0.1.0' } })],
];

describe('generated workflows', () => {
  it('examples/news-api --env staging --env prod (and --previews) matches the golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
    const files = newsApiFiles();
    expect(Object.keys(files)).toEqual([WORKFLOW_FILE, PREVIEW_WORKFLOW_FILE]);
    for (const [path, text] of Object.entries(files)) {
      const golden = join(GOLDEN, `news-api.${path.split('/').pop()!}`);
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
      expect(text).toBe(readFileSync(golden, 'utf8'));
    }
  });

  it.each([...Object.entries(newsApiFiles()), ...variants.map(([name, workflow]) => [name, workflowYaml(workflow, ['test'])] as [string, string])])('%s parses with GitHub\'s workflow parser', async (name, text) => {
    const { errors, template } = await parseGithubWorkflow(name, text);
    expect(errors).toEqual([]);
    expect(template?.jobs.length).toBeGreaterThan(0);
  });

  it('the parser used here does reject a broken workflow (the check can fail)', async () => {
    const text = newsApiFiles()[WORKFLOW_FILE]!.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout: 5');
    expect((await parseGithubWorkflow('broken', text)).errors.join('\n')).toMatch(/Unexpected value 'timeout'/);
  });

  it('uses OIDC only: no access key input, no AWS secret anywhere, id-token and contents: read', () => {
    for (const text of [...Object.values(newsApiFiles()), ...variants.map(([, workflow]) => workflowYaml(workflow, []))]) {
      expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\.AWS/i);
      const workflow = parse(text) as { permissions: unknown; jobs: Record<string, Job> };
      expect(workflow.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
      for (const job of Object.values(workflow.jobs)) {
        const credentials = job.steps.filter((step) => String(step.uses ?? '').startsWith('aws-actions/configure-aws-credentials@'));
        expect(credentials).toHaveLength(1);
        expect(Object.keys(credentials[0]!.with as object).sort()).toEqual(['aws-region', 'role-session-name', 'role-to-assume']);
        expect(String((credentials[0]!.with as Record<string, unknown>)['role-to-assume'])).toMatch(/^arn:aws:iam::(\d{12}|\$\{\{ vars\.AWS_ACCOUNT_ID \}\}):role\/berth-[a-z0-9-]+-ci-[a-z0-9-]+$/);
      }
    }
  });

  it('pins every action by a 40-hex commit SHA with its release in a comment', () => {
    for (const text of Object.values(newsApiFiles())) {
      const lines = text.split('\n').filter((line) => /^\s*(- )?uses:/.test(line));
      expect(lines.length).toBeGreaterThanOrEqual(4);
      for (const line of lines) {
        const match = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
        expect(match, line).not.toBeNull();
        expect(Object.values(PINNED_ACTIONS).some((pinned) => pinned.action === match![1] && pinned.sha === match![2] && pinned.version === match![3])).toBe(true);
      }
    }
  });

  it('promotes by digest: prod deploys --image with the image staging built, which must be <repo>@sha256:<digest>', () => {
    const deploy = jobs(newsApiFiles()[WORKFLOW_FILE]!);
    expect(Object.keys(deploy)).toEqual(['deploy-staging', 'deploy-prod']);
    const staging = deploy['deploy-staging']!;
    const prod = deploy['deploy-prod']!;
    expect(staging.outputs).toMatchObject({ image: '${{ steps.deploy.outputs.image }}' });
    const build = staging.steps.find((step) => step.id === 'deploy')!;
    expect(build.run).toContain('npx berth deploy --config "$BERTH_CONFIG" --env "$BERTH_ENV" --yes --json');
    expect(build.run).toContain("jq -r '.release.image // empty'");
    expect(build.run).toContain('=~ @sha256:[0-9a-f]{64}$');
    expect(prod.needs).toEqual(['deploy-staging']);
    const promote = prod.steps.find((step) => step.id === 'deploy')!;
    expect(promote.env).toEqual({ IMAGE: '${{ needs.deploy-staging.outputs.image }}' });
    expect(promote.run).toContain('npx berth deploy --config "$BERTH_CONFIG" --env "$BERTH_ENV" --image "$IMAGE" --yes --json');
    expect(prod.steps.some((step) => /docker build|berth deploy --config "\$BERTH_CONFIG" --env "\$BERTH_ENV" --yes/.test(String(step.run ?? '')))).toBe(false);
  });

  it('a later environment waits for the one before and takes the first one\'s image', () => {
    const three = variants[1]![1].jobs;
    expect(three['deploy-staging']!.needs).toEqual(['deploy-dev']);
    expect(three['deploy-prod']!.needs).toEqual(['deploy-dev', 'deploy-staging']);
    const promote = (three['deploy-prod']!.steps as Array<Record<string, unknown>>).find((step) => step.id === 'deploy')!;
    expect(promote.env).toEqual({ IMAGE: '${{ needs.deploy-dev.outputs.image }}' });
  });

  it('builds an arm64 image on GitHub\'s arm64 runner, and promotes it from an ordinary one', () => {
    const arm = deployWorkflow({ app: 'shop', configPath: 'berth.yml', branch: 'main', environments: [{ name: 'staging', arch: 'arm64' }, { name: 'prod', arch: 'arm64' }], berth: { kind: 'project' } });
    expect(arm.jobs['deploy-staging']!['runs-on']).toBe('ubuntu-24.04-arm');
    expect(arm.jobs['deploy-prod']!['runs-on']).toBe('ubuntu-latest');
    const preview = previewWorkflow({ app: 'shop', configPath: 'berth.yml', branch: 'main', template: { name: 'preview', prefix: 'pr-', arch: 'arm64' }, secrets: [], berth: { kind: 'project' } });
    expect(preview.jobs['deploy-preview']!['runs-on']).toBe('ubuntu-24.04-arm');
    expect(preview.jobs['destroy-preview']!['runs-on']).toBe('ubuntu-latest');
    expect(jobs(newsApiFiles()[WORKFLOW_FILE]!)['deploy-staging']!['runs-on']).toBe('ubuntu-latest');
  });

  it('gives each environment its own GitHub environment and concurrency group, never cancelled midway', () => {
    const groups = new Set<string>();
    for (const [name, job] of Object.entries(jobs(newsApiFiles()[WORKFLOW_FILE]!))) {
      const env = name.replace('deploy-', '');
      expect(job.environment).toMatchObject({ name: env });
      expect(job.concurrency).toEqual({ group: concurrencyGroup('news-api', env), 'cancel-in-progress': false });
      groups.add((job.concurrency as { group: string }).group);
    }
    expect([...groups]).toEqual(['berth-news-api-staging', 'berth-news-api-prod']);
    const preview = jobs(newsApiFiles()[PREVIEW_WORKFLOW_FILE]!);
    expect(preview['deploy-preview']!.concurrency).toEqual(preview['destroy-preview']!.concurrency);
    expect((preview['deploy-preview']!.concurrency as { group: string }).group).toBe('berth-news-api-pr-${{ github.event.pull_request.number }}');
  });

  it('previews: deploy pr-<number> on open and push, destroy it with --purge on close, comment on the pull request, skip forks', () => {
    const preview = jobs(newsApiFiles()[PREVIEW_WORKFLOW_FILE]!);
    const deploy = preview['deploy-preview']!;
    const destroy = preview['destroy-preview']!;
    expect(deploy.env).toEqual({ BERTH_ENV: 'pr-${{ github.event.pull_request.number }}' });
    expect(deploy.if).toContain("github.event.action != 'closed'");
    expect(destroy.if).toContain("github.event.action == 'closed'");
    for (const job of [deploy, destroy]) expect(job.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(destroy.steps.map((step) => step.run).filter(Boolean)).toContain('npx berth destroy --config "$BERTH_CONFIG" --env "$BERTH_ENV" --purge --yes');
    const comment = deploy.steps.find((step) => String(step.uses ?? '').startsWith('actions/github-script@'))!;
    expect(comment.env).toMatchObject({ URL: '${{ steps.deploy.outputs.url }}', COST: '${{ steps.summary.outputs.cost }}' });
    expect(String((comment.with as { script: string }).script)).toContain('github.rest.issues.updateComment');
    expect(deploy.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'pull-requests': 'write' });
  });

  it('puts no expression inside a run script: inputs reach scripts through env', () => {
    for (const text of [...Object.values(newsApiFiles()), ...variants.map(([, workflow]) => workflowYaml(workflow, []))]) {
      for (const job of Object.values(jobs(text))) {
        for (const step of job.steps) expect(String(step.run ?? ''), String(step.name)).not.toContain('${{');
      }
    }
  });
});
