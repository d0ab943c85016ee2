/**
 * The before-deploy checks that need the Docker engine: it answers, the Dockerfile builds, and the built
 * image, started with the environment berth would give it, listens on service.port and answers the health path.
 * Thin I/O around dockerode; the verdicts come from config-checks.ts and probe-verdict.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { relative } from 'node:path';
import type Docker from 'dockerode';
import type { BuildSpec, ResolvedConfig, ServiceSpec, WebServiceSpec } from '../config/model.js';
import { doctorImageTag as doctorImage, findService, LABEL_APP, LABEL_ROLE, longRunningServices, reservedEnvNames, serviceKey } from '../model/index.js';
import type { Progress } from '../terminal/progress.js';
import { fail, maskCheck, pass, warn, type CheckResult } from './check-result.js';
import { buildImage as buildDockerImage, hostPlatform, inspectImage as inspectDockerImage, platformFor, type ImageInfo } from '../build/index.js';
import { checkExpose, checkImageArch, checkImageUser, imageCheckId, imageLabel, imageSubjects, subjectArch, subjectImage, type DockerfileFacts, type ImageFacts, type ImageSubject } from './config-checks.js';
import { diagnoseBuildFailure } from './build-failure.js';
import { parseProcNetTcp, reachableFromOutside, type ListeningSocket } from './listening-sockets.js';
import { probeCheckId, probeVerdict, type ProbeObservation } from './probe-verdict.js';
import { doctorRunOwner, removeAbandonedProbes } from './abandoned-probes.js';
import { removeProbeDependencies, startProbeDependencies, type DependencyStart } from './probe-dependencies.js';
import { describeDependencies, probeDependencyPlan, probedService, probeLabels, type ProbeDependencyPlan } from './probe-dependency-plan.js';
import { ensureNetwork } from '../targets/local/engine.js';
import { tailRequest } from '../targets/local/log-lines.js';
import { cleanLine, demuxLogs, maskedLogTail } from './log-tail.js';
import { NO_HEALTHCHECK } from '../plan/local/local-plan.js';

/** Where the values of declared secrets come from for the local run; undefined values become placeholders. */
export type SecretValueSource = (names: string[]) => Promise<Record<string, string | undefined> | undefined>;

export interface EngineCheckOptions {
  progress: Progress;
  secretValues?: SecretValueSource;
  /** Host ports the probe may publish on (127.0.0.1 only); default: any free port the engine picks. */
  hostPortRange?: [number, number];
}

const LOG_LINES = 20;
/** Docker's embedded DNS listens inside every container on a user-defined network. */
export const DOCKER_DNS = '127.0.0.11';
/** How long a port picture must hold before the doctor calls it wrong. */
const SETTLE_MS = 3000;
const COMMON_HEALTH_PATHS = ['/health', '/healthz', '/health/', '/api/health', '/ping', '/status', '/', '/docs'];

/** The Docker client, honouring DOCKER_HOST like the docker CLI. */
export async function connectDocker(): Promise<Docker> {
  const { default: DockerClient } = await import('dockerode');
  return new DockerClient();
}

export async function checkEngine(docker: Docker): Promise<CheckResult> {
  try {
    const version = await docker.version();
    return pass('docker-engine', `the Docker engine answers (version ${version.Version}, ${version.Os}/${version.Arch})`);
  } catch (error) {
    return fail(
      'docker-engine',
      `the Docker engine does not answer: ${(error as Error).message}`,
      'start Docker (Docker Desktop, or `sudo systemctl start docker`) and check that `docker info` works for your user (DOCKER_HOST if remote)',
    );
  }
}

/** A table sentence as a check message: lower-case start, no full stop. */
function asMessage(text: string): string {
  return `${text.charAt(0).toLowerCase()}${text.slice(1)}`.replace(/\.$/, '');
}

export interface BuildResult {
  checks: CheckResult[];
  /** The image whose metadata the checks judge (built for the services' arch, or the `image:` named). */
  image?: ImageInfo;
  /** The image to run locally (the same, or a build for this machine's platform); absent when it cannot run here. */
  runnable?: string;
  /** Why the image is not run here although it exists (another architecture): the probe says so per service. */
  notRun?: { message: string; fix: string };
}

async function buildFor(config: ResolvedConfig, build: BuildSpec, platform: string, tag: string, id: string, options: EngineCheckOptions): Promise<{ image?: ImageInfo; failure?: CheckResult }> {
  const dockerfile = relative(config.dir, build.dockerfile) || 'Dockerfile';
  const step = options.progress.step(`Building ${dockerfile} for ${platform}`);
  try {
    const built = await buildDockerImage({
      build,
      platform,
      tags: [tag],
      labels: { [LABEL_APP]: config.app, [LABEL_ROLE]: 'doctor' },
      onLine: (line) => {
        const clean = cleanLine(line);
        if (/^(Step \d+\/\d+|#\d+ \[)/.test(clean)) step.update(clean);
      },
    });
    step.succeed();
    return { image: await inspectDockerImage(built.id) };
  } catch (error) {
    step.fail();
    const output = ((error as { buildOutput?: string[] }).buildOutput ?? [(error as Error).message]).map(cleanLine);
    const known = diagnoseBuildFailure(error, config, config.target);
    const last = output.filter(Boolean).at(-1) ?? 'docker build failed';
    return {
      failure: fail(
        id,
        `${dockerfile} does not build for ${platform}: ${known ? asMessage(known.cause) : last}`,
        known ? known.fix : 'fix the failing step shown below (`docker build` shows the same), then run `berth doctor` again',
        output.slice(-LOG_LINES),
      ),
    };
  }
}

/** Builds (or finds) one image of the app (the shared one by default), checks it, and picks what can run on this machine. */
export async function prepareImage(config: ResolvedConfig, options: EngineCheckOptions, subject: ImageSubject = imageSubjects(config)[0]!): Promise<BuildResult> {
  const wanted = platformFor(subjectArch(config, subject));
  const here = hostPlatform();
  const { build, image: reference } = subjectImage(config, subject);
  const id = imageCheckId('image-builds', config, subject);
  const key = subject.own ? serviceKey(config, subject.own) : 'service';
  if (!build) {
    const image = await inspectDockerImage(reference!);
    if (!image) return { checks: [fail(id, `the image ${reference} is not on this engine`, `pull or build it first (\`docker pull ${reference}\`), or let berth build it with ${key}.build`)] };
    const checks = [pass(id, `using the image ${reference} (${key}.image, no build)`)];
    const imagePlatform = `${image.os}/${image.architecture}`;
    if (imagePlatform !== here && imagePlatform === wanted) {
      return { checks, image, notRun: { message: `not run: the image is for ${imagePlatform} and this machine is ${here}`, fix: `run \`berth doctor\` on a machine of that architecture, or build the image with ${key}.build` } };
    }
    return { checks, image, runnable: image.id };
  }
  const tag = doctorImage(config.app, subject.own?.name);
  const built = await buildFor(config, build, wanted, tag, id, options);
  if (!built.image) return { checks: [built.failure!] };
  const checks = [pass(id, `${relative(config.dir, build.dockerfile) || 'Dockerfile'} builds for ${wanted}${subject.own ? ` (the ${subject.own.name} service's image)` : ''}`)];
  if (wanted === here) return { checks, image: built.image, runnable: built.image.id };
  // The local run uses a build for this machine, as the local target does; AWS gets the build for the services' arch.
  const native = await buildFor(config, build, here, `${tag}-${here.split('/')[1]}`, id, options);
  if (!native.image) return { checks: [...checks, native.failure!], image: built.image };
  return { checks, image: built.image, runnable: native.image.id };
}

/** Checks of one image: its architecture, EXPOSE against each web service that runs it, its user. */
export function imageChecks(config: ResolvedConfig, image: ImageFacts, dockerfile?: DockerfileFacts, subject: ImageSubject = imageSubjects(config)[0]!): CheckResult[] {
  const web = subject.services.filter((service): service is WebServiceSpec => service.kind === 'web');
  return [checkImageArch(config, image, dockerfile, subject), ...web.map((service) => checkExpose(config, image, service)), checkImageUser(image, imageCheckId('image-user', config, subject), imageLabel(subject))];
}

/** A port of the range that nothing listens on, skipping those already handed out to this probe's containers. */
async function freePort(range: [number, number], taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (let port = range[0]; port <= range[1]; port++) {
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${range[0]}-${range[1]}`);
}

/** Reads /proc/net/tcp{,6} inside the container (for engines in a VM, such as Docker Desktop); needs `cat` in the image. */
export async function socketsByExec(container: Docker.Container): Promise<ListeningSocket[] | undefined> {
  try {
    const exec = await container.exec({ Cmd: ['cat', '/proc/net/tcp', '/proc/net/tcp6'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    const lines = demuxLogs(Buffer.concat(chunks));
    if ((await exec.inspect()).ExitCode !== 0 && lines.length === 0) return undefined;
    // Two files concatenated: each starts with a header line, which the parser skips only once.
    const text = lines.filter((line) => !/^\s*sl\s+local_address/.test(line)).join('\n');
    return parseProcNetTcp(`header\n${text}`);
  } catch {
    return undefined;
  }
}

async function listeningSockets(container: Docker.Container, pid: number): Promise<ListeningSocket[] | undefined> {
  try {
    const [tcp, tcp6] = await Promise.all([readFile(`/proc/${pid}/net/tcp`, 'utf8'), readFile(`/proc/${pid}/net/tcp6`, 'utf8').catch(() => '')]);
    return [...parseProcNetTcp(tcp), ...parseProcNetTcp(tcp6)];
  } catch {
    // Not on the engine's host (Docker Desktop, remote engine): ask inside the container, else HTTP alone.
    return socketsByExec(container);
  }
}

async function httpStatus(url: string, timeoutSeconds: number): Promise<number> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutSeconds * 1000) });
  await response.body?.cancel();
  return response.status;
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'timed out';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The environment one service's container gets: its env, its declared secrets (real, or placeholders that are
 * named), and berth's own DATABASE_URL / PG* / REDIS_URL / <SERVICE>_URL from the probe's plan — never placeholders.
 */
export async function containerEnvironment(
  config: ResolvedConfig,
  service: ServiceSpec,
  secretValues?: SecretValueSource,
  connectionEnv: Record<string, string> = {},
): Promise<{ env: Record<string, string>; placeholders: string[]; secretValues: string[] }> {
  const env: Record<string, string> = { ...service.env, ...connectionEnv };
  const placeholders: string[] = [];
  const known = service.secrets.length > 0 && secretValues ? await secretValues(service.secrets).catch(() => undefined) : undefined;
  // The probe's database password is as secret as the user's values: it is redacted from log lines too.
  const values: string[] = connectionEnv.PGPASSWORD ? [connectionEnv.PGPASSWORD] : [];
  for (const name of service.secrets) {
    const value = known?.[name];
    if (value !== undefined) {
      env[name] = value;
      values.push(value);
    } else {
      env[name] = `berth-doctor-placeholder-${name.toLowerCase()}`;
      placeholders.push(name);
    }
  }
  const missing = reservedEnvNames(config, service.name).filter((name) => !(name in env));
  if (missing.length > 0) throw new Error(`no value for ${missing.join(', ')}: the probe's dependencies must be planned first`);
  return { env, placeholders, secretValues: values };
}

/** Where the probe's database and cache came from, for the check messages. */
function dependencyNote(config: ResolvedConfig, dependencies: ProbeDependencyPlan['dependencies']): string | undefined {
  if (dependencies.length === 0) return undefined;
  const what = `against throw-away local ${describeDependencies(dependencies)}`;
  if (config.target === 'local') return `${what}, not the environment's own`;
  return `${what} standing in for the ${config.env} ${dependencies.map((d) => d.role).join(' and ')} (not reachable from this machine)`;
}

/** The probe could not get its database or cache running: a local deploy would stop at the same step. */
function dependencyProblem(config: ResolvedConfig, problem: Extract<DependencyStart, { ok: false }>): CheckResult {
  const message = `not run: ${problem.problem}`;
  if (config.target === 'local') return fail('container-runs', message, problem.fix, problem.details);
  return warn('container-runs', `${message} (the ${config.env} environment on AWS does not need it, but the local probe of the app does)`, problem.fix, problem.details);
}

/** One web or worker service to probe, with the image that runs here. */
export interface ServiceProbe {
  service: Exclude<ServiceSpec, { kind: 'job' }>;
  /** Image id to run. */
  image: string;
  facts: ImageFacts;
}

/** Runs a command inside a running container: its exit code and output (demultiplexed, at most LOG_LINES lines). */
async function execIn(container: Docker.Container, command: string[], timeoutSeconds: number): Promise<{ exitCode: number; output: string[] }> {
  const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { stream.destroy(); resolve(); }, timeoutSeconds * 1000);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => { clearTimeout(timer); resolve(); });
    stream.on('error', (error) => { clearTimeout(timer); reject(error); });
  });
  const state = await exec.inspect();
  return { exitCode: state.Running ? -1 : (state.ExitCode ?? -1), output: demuxLogs(Buffer.concat(chunks)).slice(-LOG_LINES) };
}

/** Seconds a worker without a health command must keep running before the doctor calls it started. */
const WORKER_WATCH_SECONDS = 5;
/** Seconds a release.before task may take in the probe (against empty throw-away dependencies). */
const BEFORE_WITHIN = 120;

interface ProbeRun {
  docker: Docker;
  config: ResolvedConfig;
  plan: ProbeDependencyPlan;
  /** The probe's name: containers are `<name>-<service>`, `<name>-before`. */
  name: string;
  options: EngineCheckOptions;
  hostPort: () => Promise<string>;
  /** Containers created so far (removed at the end, also on Ctrl-C). */
  created: Docker.Container[];
}

/**
 * Starts one service's container on the probe's network, answering to the service's host names; with `task`,
 * a one-off container of the service's image and env (release.before): another command, no port, no host name.
 */
async function startService(run: ProbeRun, service: ServiceSpec, image: string, env: Record<string, string>, task?: { command: string[]; suffix: string }): Promise<Docker.Container> {
  const { docker, config, plan } = run;
  const web = service.kind === 'web' && !task ? service : undefined;
  const command = task ? task.command : service.command;
  const suffix = task ? task.suffix : service.name;
  const aliases = probedService(plan, service.name)?.aliases ?? [];
  const ports = web ? { ExposedPorts: { [`${web.port}/tcp`]: {} } } : {};
  const container = await docker.createContainer({
    name: `${run.name}-${suffix}`,
    Image: image,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    ...(command ? { Cmd: command } : {}),
    Labels: probeLabels(config, plan.run, service.name),
    ...ports,
    ...(web ? {} : { Healthcheck: { Test: [...NO_HEALTHCHECK.Test] } }),
    HostConfig: {
      NetworkMode: plan.network.name,
      ...(web ? { PortBindings: { [`${web.port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: await run.hostPort() }] } } : {}),
      Memory: service.memory * 1024 * 1024,
      MemorySwap: service.memory * 1024 * 1024,
    },
    ...(!task && aliases.length > 0 ? { NetworkingConfig: { EndpointsConfig: { [plan.network.name]: { Aliases: aliases } } } } : {}),
  });
  run.created.push(container);
  await container.start();
  return container;
}

function startFailure(error: unknown): ProbeObservation {
  const json = (error as { json?: { message?: string } }).json;
  return { kind: 'start-failed', error: cleanLine(json?.message ?? (error as Error).message) };
}

/** Watches a web service's container until its health path answers 2xx, or the evidence says why it will not. */
async function observeWeb(run: ProbeRun, service: WebServiceSpec, probe: ServiceProbe, env: Record<string, string>, logs: (container?: Docker.Container) => Promise<string[]>, progress: ReturnType<Progress['step']>): Promise<ProbeObservation> {
  const { port, health } = service;
  let container: Docker.Container;
  try {
    container = await startService(run, service, probe.image, env);
  } catch (error) {
    return startFailure(error);
  }
  const started = Date.now();
  const deadline = started + Math.max(health.gracePeriod, 5) * 1000;
  const elapsed = () => (Date.now() - started) / 1000;
  let url: string | undefined;
  let otherPortsSince: number | undefined;
  let loopbackSince: number | undefined;
  let lastError = 'no answer';
  let lastStatus: number | undefined;
  let sameStatus = 0;
  while (Date.now() < deadline) {
    const state = await container.inspect();
    if (!state.State.Running) {
      return { kind: 'exited', exitCode: state.State.ExitCode, oomKilled: state.State.OOMKilled, seconds: elapsed(), logTail: await logs(container) };
    }
    url ??= `http://127.0.0.1:${state.NetworkSettings.Ports?.[`${port}/tcp`]?.[0]?.HostPort}`;
    const sockets = (await listeningSockets(container, state.State.Pid))?.filter((socket) => socket.address !== DOCKER_DNS);
    const onPort = sockets?.filter((socket) => socket.port === port) ?? [];
    const reachable = onPort.some(reachableFromOutside);
    if (sockets === undefined || reachable) {
      try {
        const status = await httpStatus(`${url}${health.path}`, health.timeout);
        if (status >= 200 && status < 300) return { kind: 'healthy', status, seconds: elapsed() };
        sameStatus = status === lastStatus ? sameStatus + 1 : 1;
        lastStatus = status;
        lastError = `HTTP ${status}`;
        if (sameStatus >= 2) {
          const answering: string[] = [];
          for (const path of COMMON_HEALTH_PATHS.filter((p) => p !== health.path)) {
            const other = await httpStatus(`${url}${path}`, health.timeout).catch(() => 0);
            if (other >= 200 && other < 300) answering.push(path);
          }
          return { kind: 'wrong-status', status, answering, logTail: await logs(container) };
        }
      } catch (error) {
        lastError = describeFetchError(error);
      }
    } else if (onPort.length > 0) {
      loopbackSince ??= Date.now();
      if (Date.now() - loopbackSince > SETTLE_MS) return { kind: 'loopback-only', sockets: onPort };
    } else {
      // Listening elsewhere only: give the app a moment to open its port too before calling it wrong.
      const elsewhere = [...new Set(sockets.filter(reachableFromOutside).map((s) => s.port))];
      if (elsewhere.length > 0) {
        otherPortsSince ??= Date.now();
        if (Date.now() - otherPortsSince > SETTLE_MS) return { kind: 'wrong-port', ports: elsewhere };
      } else {
        otherPortsSince = undefined;
      }
    }
    // Every 5 s, so plain (CI) logs get a line now and then rather than one per poll.
    progress.update(`${Math.floor(elapsed() / 5) * 5}s of ${health.gracePeriod}s grace period`);
    await sleep(500);
  }
  const sockets = await listeningSockets(container, (await container.inspect()).State.Pid);
  if (sockets === undefined || sockets.some((s) => s.port === port && s.address !== DOCKER_DNS)) return { kind: 'no-answer', seconds: elapsed(), lastError, logTail: await logs(container) };
  return { kind: 'not-listening', seconds: elapsed(), logTail: await logs(container), exposedPorts: probe.facts.exposedPorts };
}

/**
 * Watches a worker: it must keep running (a worker that exits, even with code 0, is restarted by every target);
 * with a health command, the command must pass, and fails count only after the grace period, as on both targets.
 */
async function observeWorker(run: ProbeRun, service: Extract<ServiceSpec, { kind: 'worker' }>, probe: ServiceProbe, env: Record<string, string>, logs: (container?: Docker.Container) => Promise<string[]>, progress: ReturnType<Progress['step']>): Promise<ProbeObservation> {
  let container: Docker.Container;
  try {
    container = await startService(run, service, probe.image, env);
  } catch (error) {
    return startFailure(error);
  }
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const health = service.health;
  // Checked at most every 5 s here: the doctor is bounded, and the threshold (not the spacing) decides.
  const spacing = Math.min(health?.interval ?? 5, 5);
  const deadline = started + (health ? health.gracePeriod + spacing * (health.unhealthyThreshold + 1) : WORKER_WATCH_SECONDS) * 1000;
  let failures = 0;
  let nextCheck = started + WORKER_WATCH_SECONDS * 1000;
  let lastOutput: string[] = [];
  for (;;) {
    const state = await container.inspect();
    if (!state.State.Running) {
      return { kind: 'exited', exitCode: state.State.ExitCode, oomKilled: state.State.OOMKilled, seconds: elapsed(), logTail: await logs(container) };
    }
    if (!health && Date.now() >= deadline) return { kind: 'kept-running', seconds: elapsed() };
    if (health && Date.now() >= nextCheck) {
      nextCheck = Date.now() + spacing * 1000;
      const result = await execIn(container, health.command, health.timeout).catch((error: Error) => ({ exitCode: -1, output: [error.message] }));
      if (result.exitCode === 0) return { kind: 'kept-running', seconds: elapsed(), healthCommand: true };
      lastOutput = result.output;
      if (elapsed() >= health.gracePeriod) failures += 1;
      if (failures >= health.unhealthyThreshold || Date.now() >= deadline) {
        return { kind: 'health-command-failed', output: lastOutput.join(' ').slice(0, 300), logTail: await logs(container) };
      }
    }
    progress.update(`${Math.floor(elapsed() / 5) * 5}s${health ? ` of ${health.gracePeriod}s grace period` : ''}`);
    await sleep(500);
  }
}

/** Runs release.before once, as a deploy does before any service starts; undefined when the app has none. */
async function runBefore(run: ProbeRun, images: ReadonlyMap<string, string>): Promise<CheckResult | undefined> {
  const before = run.config.release.before;
  if (!before) return undefined;
  const service = findService(run.config, before.service)!;
  const image = images.get(service.name);
  const command = JSON.stringify(before.command);
  if (!image) return warn('release-before', `not run: the ${service.name} service's image cannot run here, so release.before ${command} was not tried`, 'fix the image check above, then run `berth doctor` again');
  const step = run.options.progress.step(`Running release.before ${command}`);
  const connection = probedService(run.plan, service.name)?.connectionEnv ?? {};
  const { env, secretValues } = await containerEnvironment(run.config, service, run.options.secretValues, connection);
  try {
    const container = await startService(run, service, image, env, { command: before.command, suffix: 'before' });
    const started = Date.now();
    for (;;) {
      const state = await container.inspect();
      const seconds = (Date.now() - started) / 1000;
      if (!state.State.Running) {
        const logTail = await containerLines(container, secretValues);
        if (state.State.ExitCode === 0) {
          step.succeed();
          return pass('release-before', `release.before ${command} finished with code 0 in ${seconds.toFixed(1)}s${dependencyNote(run.config, run.plan.dependencies) ? `, ${dependencyNote(run.config, run.plan.dependencies)}` : ''}`);
        }
        step.fail();
        return fail('release-before', `release.before ${command} exited with code ${state.State.ExitCode}: a deploy would stop before any service changes`, 'read its last lines below and fix the command (it runs once per release with the new image, before traffic moves)', logTail);
      }
      if (seconds > BEFORE_WITHIN) {
        step.fail();
        return fail('release-before', `release.before ${command} was still running after ${BEFORE_WITHIN}s against empty throw-away dependencies`, 'make the command end on its own (a migration that waits for input or a lock never does)', await containerLines(container, secretValues));
      }
      await sleep(500);
    }
  } catch (error) {
    step.fail();
    return fail('release-before', `release.before ${command} did not start: ${cleanLine((error as { json?: { message?: string } }).json?.message ?? (error as Error).message)}`, 'check the command and the image of services.' + service.name);
  }
}

async function containerLines(container: Docker.Container, secrets: readonly string[]): Promise<string[]> {
  const buffer = (await container.logs({ stdout: true, stderr: true, tail: tailRequest(LOG_LINES), follow: false })) as unknown as Buffer;
  return maskedLogTail(buffer, LOG_LINES, secrets);
}

/** Probes one service: starts it, watches it, and turns what happened into check results. */
async function probeService(run: ProbeRun, probe: ServiceProbe): Promise<CheckResult[]> {
  const { config, plan, options } = run;
  const { service } = probe;
  const connection = probedService(plan, service.name)?.connectionEnv ?? {};
  const { env, placeholders, secretValues } = await containerEnvironment(config, service, options.secretValues, connection);
  const logs = async (container?: Docker.Container) => (container ? containerLines(container, secretValues) : []);
  const several = config.services.length > 1;
  const title = service.kind === 'web'
    ? `Starting ${several ? `the ${service.name} service` : 'the container'} and waiting for GET ${service.health.path} on port ${service.port}`
    : `Starting the ${service.name} service (a worker) and watching it${service.health ? ` (health command, ${service.health.gracePeriod}s grace period)` : ` for ${WORKER_WATCH_SECONDS}s`}`;
  const step = options.progress.step(title);
  try {
    const observation = service.kind === 'web'
      ? await observeWeb(run, service, probe, env, logs, step)
      : await observeWorker(run, service, probe, env, logs, step);
    // A health command's output reaches the messages unread by `logs`: every line is masked the same way.
    const results = probeVerdict(observation, { config, service, placeholders, dependencies: dependencyNote(config, plan.dependencies) }).map((result) => maskCheck(result, secretValues));
    if (results.some((r) => r.status === 'fail')) step.fail();
    else step.succeed();
    return results;
  } catch (error) {
    step.fail();
    return [warn(probeCheckId('container-runs', config, service), `could not run the container${several ? ` of the ${service.name} service` : ''}: ${(error as Error).message}`, 'check that the Docker engine works (`docker run --rm hello-world`)')];
  }
}

/**
 * Starts each web and worker service like berth would and reports what each does: web services must answer
 * their health path, workers must keep running (and pass their health command). An app with a database or cache
 * gets throw-away ones first (see probe-dependency-plan.ts for why they are never the environment's own), and
 * release.before runs once before the services, as in a deploy. The services stay up until every one is judged,
 * so a worker that calls a web service by its name finds it.
 */
export async function probeServices(docker: Docker, config: ResolvedConfig, probes: ServiceProbe[], options: EngineCheckOptions): Promise<CheckResult[]> {
  if (probes.length === 0) return [];
  const name = `${config.app}-doctor-${Date.now().toString(36)}`;
  const plan = probeDependencyPlan(config, name, randomBytes(18).toString('base64url'), doctorRunOwner());
  // A doctor killed mid-probe (kill -9, a closed terminal) could not clean up: its throw-away database may still run.
  const abandoned = await removeAbandonedProbes(docker, config.app);
  if (abandoned > 0) options.progress.step('Removing what an interrupted doctor run left').succeed(`removed ${abandoned} ${abandoned === 1 ? 'container or network' : 'containers and networks'} of a doctor run that no longer runs`);
  const handedOut = new Set<number>();
  const run: ProbeRun = {
    docker,
    config,
    plan,
    name,
    options,
    created: [],
    hostPort: async () => {
      if (!options.hostPortRange) return '';
      const port = await freePort(options.hostPortRange, handedOut);
      handedOut.add(port);
      return String(port);
    },
  };
  let current: ReturnType<Progress['step']> | undefined;
  const removeAll = async () => {
    await Promise.all([...run.created.map((container) => container.remove({ force: true }).catch(() => undefined)), ...[...probes.map((probe) => probe.service.name), 'before'].map((suffix) => docker.getContainer(`${name}-${suffix}`).remove({ force: true }).catch(() => undefined))]);
  };
  // Ctrl-C must not leave a throw-away PostgreSQL running: clean up, then exit as interrupted.
  const interrupted = (signal: NodeJS.Signals) => {
    current?.fail('interrupted');
    void removeAll()
      .then(() => removeProbeDependencies(docker, plan))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // Its own network: the probe must not depend on the engine's default bridge, nor join a deployed environment's.
    if (plan.dependencies.length > 0) {
      current = options.progress.step(`Starting throw-away ${describeDependencies(plan.dependencies)} for the container probe`);
      const ready = await startProbeDependencies(docker, plan, (text) => current?.update(text));
      if (!ready.ok) {
        current.fail();
        return [dependencyProblem(config, ready)];
      }
      current.succeed('healthy');
    } else {
      await ensureNetwork(docker, plan);
    }
    current = undefined;
    const results: CheckResult[] = [];
    const before = await runBefore(run, new Map(probes.map((probe) => [probe.service.name, probe.image])));
    if (before) results.push(before);
    if (before?.status === 'fail') return results;
    for (const probe of probes) results.push(...(await probeService(run, probe)));
    return results;
  } catch (error) {
    current?.fail();
    return [warn('container-runs', `could not run the container: ${(error as Error).message}`, 'check that the Docker engine works (`docker run --rm hello-world`)')];
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await removeAll();
    await removeProbeDependencies(docker, plan);
  }
}

/** Probes every web and worker service that runs one image (the app's, for a one-image app: all of them). */
export async function probeContainer(docker: Docker, config: ResolvedConfig, imageId: string, facts: ImageFacts, options: EngineCheckOptions): Promise<CheckResult[]> {
  const services = longRunningServices(config).filter((service) => !service.ownImage);
  return probeServices(docker, config, services.map((service) => ({ service, image: imageId, facts })), options);
}
