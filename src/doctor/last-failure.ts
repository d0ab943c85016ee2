/**
 * Where a target leaves the evidence of its last failed deploy, so `berth doctor` can explain it later:
 * <app dir>/.berth/<env>/last-failure.json. Targets write it with recordLastFailure(); the doctor reads it.
 * For the local target, when no record exists, the doctor reads the engine itself (containers by label).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import type { ResolvedConfig } from '../config/model.js';
import { demuxLogs } from './engine-checks.js';
import { emptyEvidence, type FailureEvidence } from './failure-evidence.js';

export interface LastFailureRecord {
  /** ISO 8601. */
  recordedAt: string;
  /** The release that failed, when known. */
  release?: number;
  evidence: FailureEvidence;
}

export function lastFailurePath(config: Pick<ResolvedConfig, 'dir' | 'env'>): string {
  return join(config.dir, '.berth', config.env, 'last-failure.json');
}

/** Called by a target after a failed deploy. The evidence must already be free of secret values. */
export async function recordLastFailure(config: Pick<ResolvedConfig, 'dir' | 'env'>, evidence: FailureEvidence, release?: number): Promise<void> {
  const file = lastFailurePath(config);
  await mkdir(dirname(file), { recursive: true });
  const record: LastFailureRecord = { recordedAt: new Date().toISOString(), ...(release === undefined ? {} : { release }), evidence };
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Called by a target after a successful deploy: the last failure is history. */
export async function clearLastFailure(config: Pick<ResolvedConfig, 'dir' | 'env'>): Promise<void> {
  await rm(lastFailurePath(config), { force: true });
}

export async function readLastFailure(config: Pick<ResolvedConfig, 'dir' | 'env'>): Promise<LastFailureRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(lastFailurePath(config), 'utf8')) as LastFailureRecord;
    if (!record.evidence || !Array.isArray(record.evidence.stoppedTasks)) return undefined;
    return { ...record, evidence: { ...emptyEvidence(record.evidence.target), ...record.evidence } };
  } catch {
    return undefined;
  }
}

/** Reads the local engine's app containers of this environment that exited or are unhealthy. */
export async function localEngineEvidence(docker: Docker, config: Pick<ResolvedConfig, 'app' | 'env'>): Promise<FailureEvidence | undefined> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`org.berth.app=${config.app}`, `org.berth.env=${config.env}`, 'org.berth.role=app'] },
  });
  const broken = containers.filter((c) => c.State === 'exited' || c.State === 'dead' || /unhealthy/.test(c.Status));
  if (broken.length === 0) return undefined;
  const evidence = emptyEvidence('local');
  for (const summary of broken) {
    const name = summary.Names[0]?.replace(/^\//, '') ?? summary.Id.slice(0, 12);
    const info = await docker.getContainer(summary.Id).inspect();
    const exited = !info.State.Running;
    evidence.stoppedTasks.push({
      id: name,
      containers: [{ name: 'app', ...(exited ? { exitCode: info.State.ExitCode } : {}), reason: info.State.OOMKilled ? 'OOMKilled' : exited ? 'exited' : 'unhealthy' }],
    });
    if (!exited) evidence.serviceEvents.push(`replica ${name} is unhealthy`);
    if (info.State.Error) evidence.serviceEvents.push(info.State.Error);
    const logs = (await docker.getContainer(summary.Id).logs({ stdout: true, stderr: true, tail: 20, follow: false })) as unknown as Buffer;
    if (evidence.logTail.length === 0) evidence.logTail = demuxLogs(logs);
  }
  return evidence;
}
