/**
 * What every target (local Docker engine, AWS) can do. Commands call these and render the results;
 * each target's module implements them. Results are plain data so `--json` can print them as they are.
 */
import type { BuildsAhead } from '../build/build-ahead.js';
import type { Progress } from '../terminal/progress.js';
import type { FailureEvidence } from '../doctor/failure-evidence.js';
import type { Release } from '../model/release.js';
import type { ReleaseChange } from '../plan/release-changes.js';

export type { Release, ReleaseStatus } from '../model/release.js';


export interface DeployRequest {
  /** A pushed image to deploy without building (--image). */
  image?: string;
  /** Extra tag to push (--tag). */
  tag?: string;
  yes: boolean;
  /** Seconds to wait for a healthy deployment. */
  timeoutSeconds: number;
  /** Aborted by Ctrl-C or SIGTERM: the local target stops the rollout and undoes it. */
  signal?: AbortSignal;
  /** Local: deploy even though another project's berth.yml owns this app and environment (`--take-over`). */
  takeOver?: boolean;
  /** Local: the release's builds, started as soon as berth.yml was read (startReleaseBuilds); adopted, not run again. */
  buildsAhead?: BuildsAhead;
}

export interface RollbackRequest {
  /** Release number to restore; default: the one before the current. */
  to?: number;
  yes: boolean;
  timeoutSeconds: number;
  /** Aborted by Ctrl-C or SIGTERM: the local target stops the rollout and undoes it. */
  signal?: AbortSignal;
}

export interface DeployOutcome {
  ok: boolean;
  env: string;
  release?: Release;
  url?: string;
  /** Plain-language reasons when not ok (stopped tasks, failed health checks, ...). */
  reasons: string[];
  /** Last log lines of a failed task or replica, never containing secret values. */
  logTail: string[];
  /** Whose lines `logTail` holds when not a new replica or task, e.g. "the release.before task". */
  logTailOf?: string;
  /** What a failed deploy left behind, for `berth doctor` (absent on success). */
  evidence?: FailureEvidence;
  /** The rollout was interrupted (Ctrl-C, SIGTERM): what was undone, in one line. */
  interrupted?: string;
  /**
   * The doctor's diagnosis of a failed deploy, most specific first: printed as the first lines of the error,
   * before the reasons and the log tail (absent on success, empty when the table knows no cause).
   */
  diagnoses?: DeployDiagnosis[];
  /** A rollback: whose env it ran and what berth.yml changed since that release (names only). */
  rollback?: RollbackRestore;
}

/** What a rollback restored besides the image (`berth rollback --json`: `rollback`). */
export interface RollbackRestore {
  /** The restored release. */
  release: number;
  /**
   * `recorded`: the release's own env, secret names and service settings, as it recorded them; `current`: today's
   * berth.yml (the release was recorded before berth kept them, or the target does not restore them).
   */
  env: 'recorded' | 'current';
  /** What berth.yml changed since the release, by name (empty when nothing, or with `env: current`). */
  changes: ReleaseChange[];
  /** The line printed before the rollback rolled, when there is one. */
  note?: string;
}

/** One cause of a failed deploy and its fix, in the doctor's words (src/doctor/known-failures.ts). */
export interface DeployDiagnosis {
  /** The known-failure id, e.g. "app-wrong-port". */
  id: string;
  title: string;
  cause: string;
  fix: string;
}

export interface TaskState {
  id: string;
  /** The berth service the replica or task belongs to. */
  service?: string;
  release?: number;
  /** e.g. RUNNING, PENDING, STOPPED / running, exited. */
  status: string;
  health: 'healthy' | 'unhealthy' | 'starting' | 'unknown';
  startedAt?: string;
  address?: string;
  stoppedReason?: string;
}

/** One run of a scheduled job (or of `berth jobs run`). */
export interface JobRun {
  /** Sortable and unique: `20260301T101500Z-3f2a`. */
  id: string;
  job: string;
  /** schedule: started by the environment's scheduler; manual: `berth jobs run`. */
  trigger: 'schedule' | 'manual';
  /** The release whose image the run used; absent on AWS when its image belongs to no recorded release. */
  release?: number;
  startedAt: string;
  endedAt?: string;
  exitCode?: number;
  /** running; succeeded (exit 0); failed (non-zero exit); timed-out (stopped after the job's timeout); interrupted (Ctrl-C); lost (its container vanished). */
  status: 'running' | 'succeeded' | 'failed' | 'timed-out' | 'interrupted' | 'lost';
  reason?: string;
  /** The run's last output lines, secret values masked (for a run that has ended). */
  logTail?: string[];
}

/** One service of the environment as it runs now. */
export interface ServiceStatus {
  name: string;
  kind: 'web' | 'worker' | 'job';
  /** Web: how requests reach it (`default`: every request no route takes). */
  route?: { path?: string; host?: string; default: boolean };
  /** Web and worker: replicas (local) or tasks (AWS). */
  tasks?: { desired: number; running: number; pending: number; healthy: number; items: TaskState[] };
  /** Job: its schedule in berth.yml's words, the next run (ISO 8601) while the environment is up, recent runs newest first. */
  schedule?: string;
  nextRun?: string;
  runs?: JobRun[];
}

export interface StatusReport {
  app: string;
  env: string;
  target: 'local' | 'aws';
  url?: string;
  release?: Release;
  /** Every service in berth.yml's order. */
  services?: ServiceStatus[];
  /** Deprecated (output version 1): the replicas or tasks of every web and worker service together. Read `services`. */
  tasks: { desired: number; running: number; pending: number; healthy: number; items: TaskState[] };
  deployments: Array<{ id: string; status: string; rollout: string; desired: number; running: number; release?: number }>;
  dependencies: Array<{ kind: 'database' | 'cache'; engine: string; endpoint: string; status: string }>;
  alarms: Array<{ name: string; state: string }>;
  /** Target-specific extras (load balancer state, cost hints, ...). */
  notes: string[];
  /**
   * What is wrong now and needs a person or a command (a stopped dependency, a load balancer that is not running):
   * one line each. `berth status` exits 1 when there is any.
   */
  problems?: string[];
}

export interface LogsRequest {
  follow: boolean;
  /** Seconds back from now. */
  sinceSeconds: number;
  filter?: string;
  /** Only this service's logs (`berth logs --service NAME`); every service when absent. */
  service?: string;
}

export interface LogLine {
  timestamp: string;
  /** Task id or replica name, shown as a prefix. */
  source: string;
  message: string;
  /** The berth service the line comes from. */
  service?: string;
}

/** The terminal of a one-off command: its output streams straight through (it is the user's, not berth's). */
export interface ProcessIO {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Attach a TTY (an interactive shell). */
  tty: boolean;
}

/** `berth run [--service NAME] -- CMD ...`: a one-off task with the service's current release image, env and secrets. */
export interface RunRequest {
  /** Default: the first web service (else the first service). */
  service?: string;
  /** Empty: the service's own command (else the image's CMD). */
  command: string[];
}

/** `berth jobs run NAME`: one run of a job now, as its schedule would start it (timeout enforced, run recorded). */
export interface JobRunRequest {
  job: string;
}

/** `berth exec [--service NAME] [--replica N] -- CMD`: a command inside a running replica or task. */
export interface ExecRequest {
  service?: string;
  /** 1-based replica (local) or task (AWS) index in `berth status` order; default 1. */
  replica?: number;
  command: string[];
}

/** How a one-off command ended: berth exits with `exitCode`. */
export interface CommandOutcome {
  exitCode: number;
}

export interface SecretInfo {
  name: string;
  /** ISO 8601, when known. */
  lastChanged?: string;
  /** Whether berth.yml declares it. */
  declared: boolean;
}

export interface SecretStore {
  set(name: string, value: string): Promise<void>;
  list(): Promise<SecretInfo[]>;
  remove(name: string): Promise<void>;
  /** Declared secrets that have no value yet. */
  missing(): Promise<string[]>;
}

export interface DestroyRequest {
  purge: boolean;
}

export interface TargetOperations {
  deploy(request: DeployRequest, progress: Progress): Promise<DeployOutcome>;
  rollback(request: RollbackRequest, progress: Progress): Promise<DeployOutcome>;
  status(): Promise<StatusReport>;
  releases(): Promise<Release[]>;
  logs(request: LogsRequest, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void>;
  destroy(request: DestroyRequest, progress: Progress): Promise<void>;
  /** A one-off command in a throw-away container (local) or an ECS task (AWS); Ctrl-C stops it through `signal`. */
  run(request: RunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome>;
  /** A command inside a running replica (docker exec) or task (ECS Exec). */
  exec(request: ExecRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome>;
  /**
   * One run of a job now, recorded with the scheduled ones. Optional: a target without it runs the job's
   * command through `run` (the same image, environment and command, without the job's timeout).
   */
  runJob?(request: JobRunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome & { run?: JobRun }>;
  secrets: SecretStore;
}

