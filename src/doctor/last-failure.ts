/**
 * Where a target leaves the evidence of its last failed deploy, so `berth doctor` can explain it later:
 * <state root>/<target>/<app>/<env>/last-failure.json (the local target's state dir; the same scheme for AWS).
 * The file holds a LastFailureRecord or, as the local target writes it, the bare FailureEvidence.
 * For the local target, when no record exists, the doctor reads the engine itself (containers by label).
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type Docker from 'dockerode';
import type { ResolvedConfig } from '../config/model.js';
import { labelFilters, stateFile } from '../model/index.js';
import { tailRequest } from '../targets/local/log-lines.js';
import { maskedLogTail } from './log-tail.js';
import { emptyEvidence, type FailureEvidence } from './failure-evidence.js';

export interface LastFailureRecord {
  /** ISO 8601. */
  recordedAt: string;
  /** The release that failed, when known. */
  release?: number;
  evidence: FailureEvidence;
}

/** Log lines of a broken replica the doctor reads when no record exists. */
const LOG_TAIL = 20;

type RecordConfig = Pick<ResolvedConfig, 'app' | 'env' | 'target'>;

export function lastFailurePath(config: RecordConfig, vars: NodeJS.ProcessEnv = process.env): string {
  return stateFile(config.target, config.app, config.env, 'lastFailure', vars);
}

/** Called by a target after a failed deploy. The evidence must already be free of secret values. */
export async function recordLastFailure(config: RecordConfig, evidence: FailureEvidence, release?: number, vars: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = lastFailurePath(config, vars);
  await mkdir(dirname(file), { recursive: true });
  const record: LastFailureRecord = { recordedAt: new Date().toISOString(), ...(release === undefined ? {} : { release }), evidence };
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Called by a target after a successful deploy: the last failure is history. */
export async function clearLastFailure(config: RecordConfig, vars: NodeJS.ProcessEnv = process.env): Promise<void> {
  await rm(lastFailurePath(config, vars), { force: true });
}

export async function readLastFailure(config: RecordConfig, vars: NodeJS.ProcessEnv = process.env): Promise<LastFailureRecord | undefined> {
  try {
    const file = lastFailurePath(config, vars);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as LastFailureRecord | FailureEvidence;
    const record: LastFailureRecord = 'evidence' in parsed ? parsed : { recordedAt: (await stat(file)).mtime.toISOString(), evidence: parsed };
    if (!record.evidence || !Array.isArray(record.evidence.stoppedTasks)) return undefined;
    return { ...record, evidence: { ...emptyEvidence(record.evidence.target ?? config.target), ...record.evidence } };
  } catch {
    return undefined;
  }
}

/**
 * Whether a later deploy succeeded after the recorded failure (the local target keeps its record until the next
 * failure): the newest release in the local release store is deployed and younger than the record.
 */
export async function supersededLocally(config: Pick<ResolvedConfig, 'app' | 'env'>, record: LastFailureRecord, vars: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    const file = stateFile('local', config.app, config.env, 'releases', vars);
    const { releases } = JSON.parse(await readFile(file, 'utf8')) as { releases: Array<{ number: number; status: string; createdAt: string }> };
    const newest = [...releases].sort((a, b) => b.number - a.number)[0];
    return Boolean(newest && newest.status !== 'failed' && Date.parse(newest.createdAt) > Date.parse(record.recordedAt));
  } catch {
    return false;
  }
}

/** Reads the local engine's app containers of this environment that exited or are unhealthy; `mask`: every secret value. */
export async function localEngineEvidence(docker: Docker, config: Pick<ResolvedConfig, 'app' | 'env'>, mask: readonly string[] = []): Promise<FailureEvidence | undefined> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: labelFilters(config.app, config.env, 'app') },
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
    const logs = (await docker.getContainer(summary.Id).logs({ stdout: true, stderr: true, tail: tailRequest(LOG_TAIL), follow: false })) as unknown as Buffer;
    if (evidence.logTail.length === 0) evidence.logTail = maskedLogTail(logs, LOG_TAIL, mask);
  }
  return evidence;
}
