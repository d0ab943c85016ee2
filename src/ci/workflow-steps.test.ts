/**
 * The generated shell, run for real with bash, jq and git, against a stand-in `berth` that prints the documents
 * `berth deploy --json` and `berth cost --json` print: what lands in $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployScript, summaryScript } from './workflow-steps.js';

const hasTools = ['jq', 'git', 'bash'].every((tool) => spawnSync('which', [tool]).status === 0);
const dir = mkdtempSync(join(tmpdir(), 'berth-workflow-shell-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIGEST = `sha256:${'5d'.repeat(32)}`;
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/news-api@${DIGEST}`;

/** A `berth` on PATH: deploy prints $FAKE_DEPLOY and exits $FAKE_STATUS; cost prices berth.yml's "# price: N" line. */
function fakeBerth(): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'berth'), [
    '#!/bin/bash',
    'case "$1" in',
    '  deploy) printf "%s" "$FAKE_DEPLOY"; exit "${FAKE_STATUS:-0}" ;;',
    '  cost)',
    '    while [ $# -gt 0 ]; do [ "$1" = --config ] && config="$2"; shift; done',
    '    price=$(sed -n "s/^# price: //p" "$config")',
    '    [ -n "$price" ] || { echo "no such environment" >&2; exit 2; }',
    '    printf \'{"monthly":{"min":%s,"max":%s}}\' "$price" "$price" ;;',
    'esac',
  ].join('\n'));
  chmodSync(join(bin, 'berth'), 0o755);
  return bin;
}

function runScript(script: string, cwd: string, env: Record<string, string>): { status: number; output: string; summary: string; stderr: string; stdout: string } {
  const runnerTemp = mkdtempSync(join(dir, 'runner-'));
  const output = join(runnerTemp, 'output');
  const summary = join(runnerTemp, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    env: { PATH: `${fakeBerth()}:${process.env.PATH}`, HOME: dir, RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, BERTH_CONFIG: 'app/berth.yml', BERTH_ENV: 'staging', ...env },
    encoding: 'utf8',
  });
  return { status: result.status ?? -1, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8'), stderr: result.stderr, stdout: result.stdout };
}

describe.skipIf(!hasTools)('the deploy step', () => {
  const ok = JSON.stringify({ ok: true, env: 'staging', release: { number: 7, image: IMAGE, digest: DIGEST, status: 'deployed' }, url: 'http://staging.example', reasons: [], logTail: [] });

  it('exports the image by digest, the release and the URL from berth deploy --json', () => {
    const result = runScript(deployScript('berth', '', true), dir, { FAKE_DEPLOY: ok });
    expect(result.status).toBe(0);
    expect(result.output).toBe(`image=${IMAGE}\ndigest=${DIGEST}\nrelease=7\nurl=http://staging.example\n`);
  });

  it('fails the first environment when the image is not pinned by digest, so nothing is promoted', () => {
    const tagged = ok.replace(IMAGE, '123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/news-api:latest');
    const result = runScript(deployScript('berth', '', true), dir, { FAKE_DEPLOY: tagged });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('::error::berth deploy did not report an image by digest');
    expect(result.output).toBe('');
  });

  it('keeps berth deploy\'s exit code and still reports the failed release', () => {
    const failed = JSON.stringify({ ok: false, env: 'prod', release: { number: 8, image: IMAGE, digest: DIGEST, status: 'rolled-back' }, reasons: ['the ECS deployment was rolled back'], logTail: [] });
    const result = runScript(deployScript('berth', '--image "$IMAGE" ', false), dir, { FAKE_DEPLOY: failed, FAKE_STATUS: '1', IMAGE });
    expect(result.status).toBe(1);
    expect(result.output).toContain('release=8\n');
  });
});

describe.skipIf(!hasTools)('the job summary', () => {
  /** A clone of a repository with two pushed commits of app/berth.yml priced at `before` and `now`. */
  function repository(before: string, now: string): { work: string; beforeSha: string } {
    const root = mkdtempSync(join(dir, 'repo-'));
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    mkdirSync(join(root, 'origin.git'));
    git(join(root, 'origin.git'), 'init', '--bare', '-q');
    git(join(root, 'origin.git'), 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    const work = join(root, 'work');
    git(root, 'clone', '-q', `file://${join(root, 'origin.git')}`, 'work');
    mkdirSync(join(work, 'app'));
    writeFileSync(join(work, 'app', 'berth.yml'), `app: news-api\n${before}`);
    git(work, 'add', '.');
    git(work, 'commit', '-qm', 'before');
    const beforeSha = git(work, 'rev-parse', 'HEAD');
    writeFileSync(join(work, 'app', 'berth.yml'), `app: news-api\n${now}`);
    git(work, 'commit', '-qam', 'now');
    git(work, 'push', '-q', 'origin', 'HEAD');
    return { work, beforeSha };
  }

  const deployed = JSON.stringify({ ok: true, release: { number: 7, image: IMAGE } });

  it('shows the URL, release, image and the monthly cost with its change since the commit before the push', () => {
    const { work, beforeSha } = repository('# price: 57.02\n', '# price: 60.02\n');
    writeFileSync(join(dir, 'deploy.json'), deployed);
    const result = runScript(`cp "${join(dir, 'deploy.json')}" "$RUNNER_TEMP/berth-deploy.json"\n${summaryScript('berth', 'berth: news-api staging')}`, work, { BEFORE_SHA: beforeSha, URL: 'http://staging.example', RELEASE: '7', IMAGE });
    expect(result.status, result.stderr).toBe(0);
    expect(result.summary).toBe([
      '### berth: news-api staging',
      '',
      '| | |',
      '|---|---|',
      '| outcome | deployed |',
      '| URL | http://staging.example |',
      '| release | 7 |',
      `| image | \`${IMAGE}\` |`,
      `| monthly cost (estimate) | $60.02 per month ($3.00 more than at ${beforeSha.slice(0, 7)}) |`,
      '',
    ].join('\n'));
    expect(result.output).toBe(`cost=$60.02 per month ($3.00 more than at ${beforeSha.slice(0, 7)})\n`);
  });

  it('says "less", "new" and "failed" when that is what happened', () => {
    const cheaper = repository('# price: 70\n', '# price: 60.02\n');
    expect(runScript(summaryScript('berth', 't'), cheaper.work, { BEFORE_SHA: cheaper.beforeSha }).summary).toContain('$60.02 per month ($9.98 less than at');
    const added = repository('\n', '# price: 12.5\n');
    expect(runScript(summaryScript('berth', 't'), added.work, { BEFORE_SHA: added.beforeSha }).summary).toContain(`$12.50 per month (new: no staging in berth.yml at ${added.beforeSha.slice(0, 7)})`);
    const firstPush = runScript(summaryScript('berth', 't'), added.work, { BEFORE_SHA: '0'.repeat(40) });
    expect(firstPush.summary).toContain('| monthly cost (estimate) | $12.50 per month |');
    writeFileSync(join(dir, 'failed.json'), JSON.stringify({ ok: false, reasons: ['task stopped: exit 1', 'release 6 is still the current release'] }));
    const failed = runScript(`cp "${join(dir, 'failed.json')}" "$RUNNER_TEMP/berth-deploy.json"\n${summaryScript('berth', 't')}`, added.work, {});
    expect(failed.summary).toContain('| outcome | **failed** |');
    expect(failed.summary).toContain('- task stopped: exit 1\n- release 6 is still the current release\n');
  });
});
