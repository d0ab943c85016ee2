/**
 * Runs an environment's jobs on their schedules while the environment is up. It lives in the balancer process
 * (the environment's one long-lived supervisor): that process already holds the engine connection, the current
 * release's plan and the secrets file, it is the one thing `berth destroy` stops, and whatever keeps it alive
 * keeps the schedules alive too. A run is a few Engine API calls a minute, all asynchronous, so it never holds
 * up a proxied request; every tick catches its own errors so a failing run cannot take the proxy down.
 *
 * Each run is a throw-away container of the job (the release's image, environment and command) on the
 * environment's network. Its record (jobs/<job>/<run>.json) is written when it starts; the state is read back
 * from the records and the engine at every tick, so a restarted balancer picks up runs that were going.
 */
import { readFileSync } from 'node:fs';
import { jobRunContainerName } from '../../model/index.js';
import { nextRun, runsDue } from '../../plan/local/job-timing.js';
import { taskCreateOptions, type JobPlan, type LocalPlan } from '../../plan/local/local-plan.js';
import type { JobRun } from '../operations.js';
import { containerLogTail, removeContainer, type Docker } from './engine.js';
import { finishedRun, JobRunStore, newRunId } from './job-runs.js';
import { redactSecrets } from './redact.js';
import { parseReleasePlan } from './release-plan-file.js';

export interface SchedulerSources {
  stateDir: string;
  /** The release whose jobs run and the plan that describes them; undefined before the first deploy. */
  supervised(): { release: number; planFile: string } | undefined;
  /** Secret values (declared and generated), read when a run starts, for its environment and for masking. */
  secrets(): { values: Record<string, string>; mask: string[]; databasePassword?: string };
  event(text: string): void;
}

/** Lines of a run's output kept in its record (masked). */
const TAIL_LINES = 20;

export class JobScheduler {
  private lastCheck = new Date();
  private readonly anchors = new Map<string, Date>();
  private busy = false;
  private readonly runs: JobRunStore;

  constructor(private readonly docker: Docker, private readonly sources: SchedulerSources) {
    this.runs = new JobRunStore(sources.stateDir);
  }

  private plan(): LocalPlan | undefined {
    const supervised = this.sources.supervised();
    if (!supervised) return undefined;
    try {
      return parseReleasePlan(readFileSync(supervised.planFile, 'utf8'), this.sources.secrets().databasePassword);
    } catch {
      return undefined;
    }
  }

  private anchor(job: string, now: Date): Date {
    let anchor = this.anchors.get(job);
    if (!anchor) {
      anchor = now;
      this.anchors.set(job, anchor);
    }
    return anchor;
  }

  /** The next run of each job (for status). */
  upcoming(now = new Date()): Array<{ job: string; nextRun?: string }> {
    const plan = this.plan();
    return (plan?.jobs ?? []).map((job) => ({ job: job.name, nextRun: nextRun(job.schedule, now, this.anchor(job.name, now))?.toISOString() }));
  }

  /** Starts the runs that are due and settles the ones that ended; called about once a second. */
  async tick(now = new Date()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const plan = this.plan();
      const since = this.lastCheck;
      this.lastCheck = now;
      if (plan) {
        for (const job of plan.jobs) {
          const due = runsDue(job.schedule, since, now, this.anchor(job.name, now));
          if (due) await this.start(plan, job).catch((error: unknown) => this.sources.event(`${job.name}: the scheduled run did not start: ${message(error)}`));
        }
      }
      await this.settle(plan, now);
    } catch (error) {
      this.sources.event(`scheduler: ${message(error)}`);
    } finally {
      this.busy = false;
    }
  }

  private async start(plan: LocalPlan, job: JobPlan): Promise<void> {
    const id = newRunId();
    const name = jobRunContainerName(plan.app, plan.env, job.name, id);
    const { values } = this.sources.secrets();
    const container = await this.docker.createContainer(taskCreateOptions(plan, job.container, { name }, values) as Docker.ContainerCreateOptions);
    const run: JobRun = { id, job: job.name, trigger: 'schedule', release: plan.release, startedAt: new Date().toISOString(), status: 'running' };
    this.runs.start(run);
    try {
      await container.start();
    } catch (error) {
      await removeContainer(this.docker, container.id);
      this.runs.save({ ...run, status: 'failed', endedAt: new Date().toISOString(), reason: `the container did not start: ${message(error)}` });
      throw error;
    }
    this.sources.event(`${job.name}: run ${id} started (schedule)`);
  }

  /** Scheduled runs that ended get their exit code; ones past their timeout are stopped; vanished ones are lost. */
  private async settle(plan: LocalPlan | undefined, now: Date): Promise<void> {
    const app = plan?.app;
    const env = plan?.env;
    if (!app || !env) return;
    const jobs = plan.jobs.map((job) => job.name);
    for (const run of this.runs.running(jobs).filter((entry) => entry.trigger === 'schedule')) {
      const name = jobRunContainerName(app, env, run.job, run.id);
      let info: Docker.ContainerInspectInfo | undefined;
      try {
        info = await this.docker.getContainer(name).inspect();
      } catch {
        info = undefined;
      }
      if (!info) {
        this.runs.save({ ...run, status: 'lost', endedAt: new Date().toISOString(), reason: 'its container was removed before it ended' });
        continue;
      }
      const timeout = plan.jobs.find((job) => job.name === run.job)?.timeout;
      let timedOut = false;
      if (info.State.Running && timeout !== undefined && now.getTime() - Date.parse(run.startedAt) > timeout * 1000) {
        await this.docker.getContainer(name).stop({ t: 10 }).catch(() => undefined);
        info = await this.docker.getContainer(name).inspect().catch(() => info);
        timedOut = true;
      }
      if (info!.State.Running) continue;
      const { mask } = this.sources.secrets();
      const tail = redactSecrets(await containerLogTail(this.docker, name, TAIL_LINES), mask);
      const exitCode = info!.State.ExitCode;
      const finishedAt = Date.parse(info!.State.FinishedAt);
      const endedAt = Number.isFinite(finishedAt) && finishedAt > 0 ? new Date(finishedAt) : new Date();
      const finished = finishedRun(run, exitCode, endedAt, timedOut, timedOut ? `stopped after its timeout of ${timeout}s` : exitCode === 0 ? undefined : `exited with code ${exitCode}`);
      this.runs.save({ ...finished, ...(tail.length ? { logTail: tail } : {}) });
      await removeContainer(this.docker, name);
      this.sources.event(`${run.job}: run ${run.id} ${finished.status}${finished.exitCode !== undefined ? ` (exit ${finished.exitCode})` : ''}`);
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
