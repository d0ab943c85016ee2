/**
 * The record of every local job run: one small JSON file per run under `jobs/<job>/` in the environment's state
 * folder (jobRunsDir), written when the run starts and rewritten atomically when it ends, so the scheduler in the
 * balancer process and a `berth jobs run` in a terminal never write the same file. The newest runs are kept.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobRunsDir } from '../../model/index.js';
import type { JobRun } from '../operations.js';

/** Runs kept per job (older records are removed when a new run starts). */
export const KEEP_RUNS = 50;

/** `20260301T101500Z-3f2a`: sorts by start time, unique per run. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

export class JobRunStore {
  constructor(private readonly stateDir: string) {}

  private dir(job: string): string {
    return jobRunsDir(this.stateDir, job);
  }

  save(run: JobRun): void {
    const dir = this.dir(run.job);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${run.id}.json`);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  }

  /** Records a new run and prunes the oldest beyond KEEP_RUNS. */
  start(run: JobRun): void {
    this.save(run);
    const files = this.files(run.job);
    for (const old of files.slice(0, Math.max(0, files.length - KEEP_RUNS))) rmSync(join(this.dir(run.job), old), { force: true });
  }

  private files(job: string): string[] {
    const dir = this.dir(job);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  }

  /** A job's runs, newest first. */
  list(job: string, limit = KEEP_RUNS): JobRun[] {
    const runs: JobRun[] = [];
    for (const name of this.files(job).reverse().slice(0, limit)) {
      try {
        runs.push(JSON.parse(readFileSync(join(this.dir(job), name), 'utf8')) as JobRun);
      } catch {
        // a record being replaced right now: skip it this time
      }
    }
    return runs;
  }

  /** Every job's runs still marked running. */
  running(jobs: readonly string[]): JobRun[] {
    return jobs.flatMap((job) => this.list(job).filter((run) => run.status === 'running'));
  }
}

/** How a run ended, from its container's exit code and whether berth stopped it for its timeout. */
export function finishedRun(run: JobRun, exitCode: number, endedAt: Date, timedOut: boolean, reason?: string): JobRun {
  const status: JobRun['status'] = timedOut ? 'timed-out' : exitCode === 0 ? 'succeeded' : 'failed';
  return { ...run, endedAt: endedAt.toISOString(), exitCode, status, ...(reason ? { reason } : {}) };
}
