/**
 * One-off commands on the local engine. `berth run`: a throw-away container of a service with the current
 * release's image, environment and secrets, on the environment's network (so `db`, `redis` and the other services
 * answer), output straight through, removed afterwards. `berth exec`: docker exec into a running replica.
 * `berth jobs run`: one run of a job now, with its timeout, recorded beside the scheduled runs.
 * berth's own lines go to the progress stream (stderr) and never hold a secret value; what the command prints
 * is the user's and is not touched.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { ResolvedConfig, ServiceSpec } from '../../config/model.js';
import { closestMatch } from '../../config/suggest.js';
import { UsageError } from '../../errors.js';
import { findService, jobRunContainerName, LABEL_RELEASE, labelFilters, labelsFor, oneOffTaskContainerName, releasePlanFile, webServices, type Release } from '../../model/index.js';
import { containerOf, planLocal, type ContainerSpec, type LocalPlan } from '../../plan/local/local-plan.js';
import type { Progress } from '../../terminal/progress.js';
import type { CommandOutcome, ExecRequest, JobRun, JobRunRequest, ProcessIO, RunRequest } from '../operations.js';
import { containerLogTail, removeContainer, type Docker } from './engine.js';
import { finishedRun, JobRunStore, newRunId } from './job-runs.js';
import { redactSecrets } from './redact.js';
import { parseReleasePlan } from './release-plan-file.js';
import { attachTerminal, connect, createTask, drained, INTERRUPTED_EXIT_CODE, waitForExit } from './task-container.js';

export interface OneOffContext {
  config: ResolvedConfig;
  docker: Docker;
  stateDir: string;
  /** The release serving now, if any. */
  current?: Release;
  secrets: Record<string, string>;
  /** Values to mask in berth's own records (secrets and the generated database password). */
  mask: string[];
  databasePassword?: string;
}

/** The service `--service` names, or the default: the first web service, else the first service. */
export function chooseService(config: Pick<ResolvedConfig, 'services'>, name: string | undefined): ServiceSpec {
  if (name === undefined) {
    const chosen = webServices(config)[0] ?? config.services[0];
    if (!chosen) throw new UsageError('berth.yml declares no service');
    return chosen;
  }
  const service = findService(config, name);
  if (!service) {
    const names = config.services.map((entry) => entry.name);
    const meant = closestMatch(name, names);
    throw new UsageError(`--service ${name}: berth.yml has no service of that name (services: ${names.join(', ')})`, meant ? `did you mean --service ${meant}?` : undefined);
  }
  return service;
}

function requireRelease(context: OneOffContext): Release {
  if (!context.current) throw new UsageError(`nothing is deployed in ${context.config.app} (${context.config.env})`, 'deploy first with `berth deploy`');
  return context.current;
}

/** The plan the current release runs with (its image and environment), as `berth deploy` recorded it. */
export function currentPlan(context: OneOffContext, release: Release): LocalPlan {
  const file = releasePlanFile(context.stateDir, release.number);
  if (existsSync(file)) {
    try {
      const recorded = parseReleasePlan(readFileSync(file, 'utf8'), context.databasePassword) as Partial<LocalPlan>;
      if (Array.isArray(recorded.services) && Array.isArray(recorded.jobs)) return recorded as LocalPlan;
    } catch {
      // an unreadable record: plan again below
    }
  }
  return planLocal(context.config, { release: release.number, databasePassword: context.databasePassword });
}

async function requireNetwork(context: OneOffContext, plan: LocalPlan): Promise<void> {
  const networks = await context.docker.listNetworks({ filters: { name: [plan.network.name] } });
  if (!networks.some((network) => network.Name === plan.network.name)) {
    throw new UsageError(`the network ${plan.network.name} of ${context.config.app} (${context.config.env}) is gone`, 'deploy again with `berth deploy`');
  }
}

function specOf(plan: LocalPlan, service: ServiceSpec, release: Release): ContainerSpec {
  const spec = containerOf(plan, service.name) ?? (plan.before?.service === service.name ? plan.before.container : undefined);
  if (!spec) throw new UsageError(`service ${service.name} is not part of release ${release.number}`, 'deploy the current berth.yml first (`berth deploy`)');
  return spec;
}

/** Keeps a TTY's size in step with the terminal (a shell wraps lines where the window does). */
function followTerminalSize(io: ProcessIO, resize: (size: { h: number; w: number }) => Promise<unknown>): () => void {
  const out = io.stdout as NodeJS.WriteStream;
  if (!io.tty || !out.columns) return () => undefined;
  const apply = () => void resize({ h: out.rows, w: out.columns }).catch(() => undefined);
  apply();
  out.on('resize', apply);
  return () => out.off('resize', apply);
}

/** `berth run`: a throw-away container of the service; resolves with the command's exit code. */
export async function runOneOff(context: OneOffContext, request: RunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome> {
  const service = chooseService(context.config, request.service);
  const release = requireRelease(context);
  const plan = currentPlan(context, release);
  const spec = specOf(plan, service, release);
  await requireNetwork(context, plan);
  const name = oneOffTaskContainerName(context.config.app, context.config.env, service.name, randomBytes(3).toString('hex'));
  const command = request.command.length ? request.command : undefined;
  const step = progress.step(`Run ${command ? command.join(' ') : `the ${service.name} command`} in a one-off container of ${service.name} (release ${release.number})`);
  const container = await createTask(context.docker, plan, spec, {
    name,
    ...(command ? { command } : {}),
    labels: labelsFor(context.config.app, context.config.env, 'task', { release: release.number, service: service.name, project: context.config.file }),
    tty: io.tty,
    stdin: io.stdin !== undefined,
  }, context.secrets);
  try {
    const terminal = await attachTerminal(container, io);
    await container.start();
    step.succeed(name);
    const stopResizing = followTerminalSize(io, (size) => container.resize(size));
    const exit = await waitForExit(container, { signal, stopSeconds: 2 });
    stopResizing();
    await drained(terminal.done);
    terminal.detach();
    if (exit.interrupted) progress.info(`stopped and removed ${name}`);
    return { exitCode: exit.exitCode };
  } finally {
    await removeContainer(context.docker, container.id);
  }
}

/** `berth exec`: a command inside a running replica of the current release. */
export async function execInReplica(context: OneOffContext, request: ExecRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome> {
  const service = chooseService(context.config, request.service);
  if (service.kind === 'job') {
    throw new UsageError(`${service.name} is a job: no replica of it keeps running`, `run a command with its image and environment: berth run --service ${service.name} -- ${request.command.join(' ') || 'CMD'}`);
  }
  const release = requireRelease(context);
  const running = (await context.docker.listContainers({ filters: { label: [...labelFilters(context.config.app, context.config.env, 'app', service.name), `${LABEL_RELEASE}=${release.number}`], status: ['running'] } }))
    .map((entry) => ({ id: entry.Id, name: entry.Names[0]?.replace(/^\//, '') ?? entry.Id.slice(0, 12) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const index = request.replica ?? 1;
  const replica = running[index - 1];
  if (!replica) {
    throw new UsageError(
      running.length ? `--replica ${index}: ${service.name} has ${running.length} running replica${running.length === 1 ? '' : 's'} (1-${running.length})` : `no replica of ${service.name} is running`,
      running.length ? 'see `berth status`' : 'deploy with `berth deploy`, or look at `berth status`',
    );
  }
  progress.info(`exec in ${replica.name}`);
  const container = context.docker.getContainer(replica.id);
  const exec = await container.exec({ Cmd: request.command, AttachStdout: true, AttachStderr: true, AttachStdin: io.stdin !== undefined, Tty: io.tty });
  const stream = (await exec.start({ hijack: true, stdin: io.stdin !== undefined, Tty: io.tty })) as unknown as Duplex;
  const terminal = connect(container.modem as Parameters<typeof connect>[0], stream, io);
  const stopResizing = followTerminalSize(io, (size) => exec.resize(size));
  let interrupted = false;
  const onAbort = () => { interrupted = true; terminal.detach(); };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await terminal.done;
  } finally {
    signal.removeEventListener('abort', onAbort);
    stopResizing();
    terminal.detach();
  }
  if (interrupted) return { exitCode: INTERRUPTED_EXIT_CODE };
  // The exit code is known once the process ended; the stream may close a moment before.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const state = await exec.inspect();
    if (!state.Running && state.ExitCode !== null && state.ExitCode !== undefined) return { exitCode: state.ExitCode };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { exitCode: 1 };
}

/** `berth jobs run NAME`: one run of a job now, its output streamed, its timeout enforced, the run recorded. */
export async function runJobNow(context: OneOffContext, request: JobRunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome & { run: JobRun }> {
  const job = findService(context.config, request.job);
  if (!job || job.kind !== 'job') {
    const jobs = context.config.services.filter((service) => service.kind === 'job').map((service) => service.name);
    const meant = closestMatch(request.job, jobs);
    throw new UsageError(`${request.job} is not a job of this app (jobs: ${jobs.join(', ') || 'none'})`, meant ? `did you mean ${meant}?` : 'a job is a service with kind: job and a schedule');
  }
  const release = requireRelease(context);
  const plan = currentPlan(context, release);
  const jobPlan = plan.jobs.find((entry) => entry.name === job.name);
  if (!jobPlan) throw new UsageError(`job ${job.name} is not part of release ${release.number}`, 'deploy the current berth.yml first (`berth deploy`)');
  await requireNetwork(context, plan);
  const runs = new JobRunStore(context.stateDir);
  const id = newRunId();
  const name = jobRunContainerName(context.config.app, context.config.env, job.name, id);
  const step = progress.step(`Run job ${job.name} now (release ${release.number}, timeout ${jobPlan.timeout}s)`);
  const container = await createTask(context.docker, plan, jobPlan.container, { name }, context.secrets);
  const run: JobRun = { id, job: job.name, trigger: 'manual', release: release.number, startedAt: new Date().toISOString(), status: 'running' };
  try {
    const terminal = await attachTerminal(container, { ...io, stdin: undefined, tty: false });
    await container.start();
    runs.start(run);
    step.succeed(name);
    const exit = await waitForExit(container, { timeoutMs: jobPlan.timeout * 1000, signal });
    await drained(terminal.done);
    terminal.detach();
    const tail = redactSecrets(await containerLogTail(context.docker, container.id, 20), context.mask);
    const ended = exit.interrupted
      ? { ...run, status: 'interrupted' as const, endedAt: new Date().toISOString(), exitCode: exit.exitCode, reason: 'stopped with Ctrl-C' }
      : finishedRun(run, exit.exitCode, new Date(), exit.timedOut, exit.timedOut ? `stopped after its timeout of ${jobPlan.timeout}s` : exit.exitCode === 0 ? undefined : `exited with code ${exit.exitCode}`);
    const record = { ...ended, ...(tail.length ? { logTail: tail } : {}) };
    runs.save(record);
    return { exitCode: exit.exitCode, run: record };
  } finally {
    await removeContainer(context.docker, container.id);
  }
}
