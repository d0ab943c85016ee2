/**
 * Throw-away containers on the environment's network: a `berth run`, the release's `before` task and every job
 * run. Created from a plan's ContainerSpec (plan/local: taskCreateOptions), started, watched until they exit or
 * their time is up, then removed. Their output either streams straight through to a terminal (`berth run`: the
 * user's output, never touched) or is kept as a short tail for a record (before, jobs).
 */
import type { Duplex } from 'node:stream';
import { taskCreateOptions, type ContainerSpec, type LocalPlan, type TaskCreateInput } from '../../plan/local/local-plan.js';
import type { ProcessIO } from '../operations.js';
import { containerLogTail, removeContainer, type Docker } from './engine.js';

/** How a throw-away container ended. */
export interface TaskExit {
  exitCode: number;
  /** berth stopped it because its time ran out. */
  timedOut: boolean;
  /** berth stopped it because the caller's signal was aborted (Ctrl-C). */
  interrupted: boolean;
}

/** The exit code of a command stopped by Ctrl-C, as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

export async function createTask(docker: Docker, plan: Pick<LocalPlan, 'network'>, spec: ContainerSpec, input: TaskCreateInput, secrets: Record<string, string>): Promise<Docker.Container> {
  return docker.createContainer(taskCreateOptions(plan, spec, input, secrets) as Docker.ContainerCreateOptions);
}

/**
 * Waits until the container exits; stops it (SIGTERM, SIGKILL after `stopSeconds`) when `timeoutMs` passes or
 * `signal` aborts. Does not remove it.
 */
export async function waitForExit(container: Docker.Container, options: { timeoutMs?: number; signal?: AbortSignal; stopSeconds?: number } = {}): Promise<TaskExit> {
  let timedOut = false;
  let interrupted = false;
  const stop = () => container.stop({ t: options.stopSeconds ?? 10 }).catch(() => undefined);
  const timer = options.timeoutMs !== undefined ? setTimeout(() => { timedOut = true; void stop(); }, options.timeoutMs) : undefined;
  const onAbort = () => { interrupted = true; void stop(); };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = (await container.wait()) as { StatusCode?: number };
    const exitCode = interrupted ? INTERRUPTED_EXIT_CODE : result.StatusCode ?? 1;
    return { exitCode, timedOut, interrupted };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Connects a container's stdout/stderr (and stdin when given) to a terminal before it starts. */
export async function attachTerminal(container: Docker.Container, io: ProcessIO): Promise<{ done: Promise<void>; detach: () => void }> {
  const withStdin = io.stdin !== undefined;
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true, stdin: withStdin, hijack: withStdin })) as unknown as Duplex;
  return connect(container.modem as DockerModem, stream, io);
}

interface DockerModem {
  demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void;
}

/** Pipes a Docker attach/exec stream to the terminal: raw with a TTY, demultiplexed without. */
export function connect(modem: DockerModem, stream: Duplex, io: ProcessIO): { done: Promise<void>; detach: () => void } {
  if (io.tty) stream.on('data', (chunk: Buffer) => io.stdout.write(chunk));
  else modem.demuxStream(stream, io.stdout, io.stderr);
  const forward = (chunk: Buffer | string) => stream.write(chunk);
  const endInput = () => stream.end();
  if (io.stdin) {
    io.stdin.on('data', forward);
    io.stdin.once('end', endInput);
  }
  const done = new Promise<void>((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
  const detach = () => {
    if (io.stdin) {
      io.stdin.off('data', forward);
      io.stdin.off('end', endInput);
    }
    stream.destroy();
  };
  return { done, detach };
}

/** Waits for the output stream to deliver what the command printed before it exited (bounded). */
export async function drained(done: Promise<void>, ms = 2000): Promise<void> {
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

export interface RunTaskResult extends TaskExit {
  /** The container's last lines (stdout and stderr), oldest first, not yet masked. */
  tail: string[];
}

/**
 * Runs a throw-away container to its end, keeping its last lines, then removes it: the `before` task and job runs.
 * The name is the caller's (from the model), so status and destroy can find a run that is still going.
 */
export async function runTaskToEnd(docker: Docker, plan: Pick<LocalPlan, 'network'>, spec: ContainerSpec, input: TaskCreateInput, secrets: Record<string, string>, options: { timeoutMs?: number; signal?: AbortSignal; tailLines?: number } = {}): Promise<RunTaskResult> {
  const container = await createTask(docker, plan, spec, input, secrets);
  try {
    await container.start();
    const exit = await waitForExit(container, options);
    return { ...exit, tail: await containerLogTail(docker, container.id, options.tailLines ?? 30) };
  } finally {
    await removeContainer(docker, container.id);
  }
}
