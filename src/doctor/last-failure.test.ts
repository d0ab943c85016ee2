import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyEvidence } from './failure-evidence.js';
import { clearLastFailure, lastFailurePath, readLastFailure, recordLastFailure, supersededLocally } from './last-failure.js';
import { lastDeployChecks } from './run-doctor.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const service = {
  name: 'web',
  kind: 'web',
  route: {},
  port: 8000,
  health: { path: '/health', interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 60 },
  cpu: 256,
  memory: 512,
  arch: 'x86_64',
  env: {},
  secrets: [],
};

describe('the last failed deploy', () => {
  it('is recorded by a target and explained by the doctor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dr-last-failure-'));
    dirs.push(dir);
    const config = { target: 'aws', env: 'prod', app: 'news-api', services: [service], network: { tasks: 'public', egress: 'none' }, local: { port: 8080 } } as never;
    const vars = { BERTH_STATE_DIR: dir };
    expect(await readLastFailure(config, vars)).toBeUndefined();
    const evidence = { ...emptyEvidence('aws'), stoppedTasks: [{ id: 't1', stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/1)', containers: [] }], targetHealth: [{ target: '10.0.1.5:8000', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [404]' }] };
    await recordLastFailure(config, evidence, 7, vars);
    expect(lastFailurePath(config, vars)).toBe(join(dir, 'aws', 'news-api', 'prod', 'last-failure.json'));
    const record = await readLastFailure(config, vars);
    expect(record?.release).toBe(7);
    const checks = lastDeployChecks(record!.evidence, config, record!.recordedAt);
    expect(checks.map((c) => c.id)).toEqual(['last-deploy.elb-health-response-mismatch']);
    expect(checks[0]!.message).toContain('got 404 instead of 2xx');
    await clearLastFailure(config, vars);
    expect(await readLastFailure(config, vars)).toBeUndefined();
  });

  it('reads the bare evidence the local target writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dr-last-failure-'));
    dirs.push(dir);
    const vars = { BERTH_STATE_DIR: dir };
    const config = { target: 'local', env: 'local', app: 'web' } as never;
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(dir, 'local', 'web', 'local'), { recursive: true });
    await writeFile(join(dir, 'local', 'web', 'local', 'last-failure.json'), JSON.stringify({ ...emptyEvidence('local'), logTail: ["KeyError: 'API_URL'"] }));
    expect((await readLastFailure(config, vars))?.evidence.logTail).toEqual(["KeyError: 'API_URL'"]);
  });

  it('is history once a later local deploy succeeded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dr-last-failure-'));
    dirs.push(dir);
    const vars = { BERTH_STATE_DIR: dir };
    const config = { app: 'web', env: 'local' };
    const record = { recordedAt: '2026-01-01T10:00:00.000Z', evidence: emptyEvidence('local') };
    expect(await supersededLocally(config, record, vars)).toBe(false);
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(dir, 'local', 'web', 'local'), { recursive: true });
    const releases = (status: string, createdAt: string) => JSON.stringify({ releases: [{ number: 3, status: 'failed', createdAt: '2026-01-01T09:59:00.000Z' }, { number: 4, status, createdAt }] });
    await writeFile(join(dir, 'local', 'web', 'local', 'releases.json'), releases('failed', '2026-01-01T10:00:00.000Z'));
    expect(await supersededLocally(config, record, vars)).toBe(false);
    await writeFile(join(dir, 'local', 'web', 'local', 'releases.json'), releases('deployed', '2026-01-01T10:05:00.000Z'));
    expect(await supersededLocally(config, record, vars)).toBe(true);
  });

  it('still reports a failure nothing in the table explains', () => {
    const config = { dir: '/x', env: 'prod', app: 'a', services: [service], network: { tasks: 'public', egress: 'none' }, local: { port: 8080 } } as never;
    const checks = lastDeployChecks({ ...emptyEvidence('aws'), stackEvents: ['Cluster: CREATE_FAILED: something new'] }, config);
    expect(checks).toEqual([expect.objectContaining({ id: 'last-deploy', status: 'fail', details: ['Cluster: CREATE_FAILED: something new'] })]);
  });
});
