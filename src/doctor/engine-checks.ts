/**
 * The before-deploy checks that need the Docker engine: it answers, the Dockerfile builds, and the built
 * image, started with the environment berth would give it, listens on service.port and answers the health path.
 * Thin I/O around dockerode; the verdicts come from config-checks.ts and probe-verdict.ts.
 */
import { soleWebService } from '../model/transitional.js';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { relative } from 'node:path';
import type Docker from 'dockerode';
import type { ResolvedConfig, WebServiceSpec } from '../config/model.js';
import { doctorImageTag as doctorImage, LABEL_APP, LABEL_ROLE, reservedEnvNames } from '../model/index.js';
import type { Progress } from '../terminal/progress.js';
import { fail, pass, warn, type CheckResult } from './check-result.js';
import { buildImage as buildDockerImage, hostPlatform, inspectImage as inspectDockerImage, platformFor, type ImageInfo } from '../build/index.js';
import { checkExpose, checkImageArch, checkImageUser, type DockerfileFacts, type ImageFacts, type ImageSubject } from './config-checks.js';
import { diagnoseBuildFailure } from './build-failure.js';
import { parseProcNetTcp, reachableFromOutside, type ListeningSocket } from './listening-sockets.js';
import { probeVerdict, type ProbeObservation } from './probe-verdict.js';
import { removeProbeDependencies, startProbeDependencies, type DependencyStart } from './probe-dependencies.js';
import { describeDependencies, probeDependencyPlan, probeLabels, type ProbeDependencyPlan } from './probe-dependency-plan.js';
import { ensureNetwork } from '../targets/local/engine.js';

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
const DOCKER_DNS = '127.0.0.11';
/** How long a port picture must hold before the doctor calls it wrong. */
const SETTLE_MS = 3000;
const COMMON_HEALTH_PATHS = ['/health', '/healthz', '/health/', '/api/health', '/ping', '/status', '/', '/docs'];

/** The Docker client, honouring DOCKER_HOST like the docker CLI. */
export async function connectDocker(): Promise<Docker> {
  const { default: DockerClient } = await import('dockerode');
  return new DockerClient();
}

export function doctorImageTag(config: Pick<ResolvedConfig, 'app'>): string {
  return doctorImage(config.app);
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

/** Removes ANSI colour codes and carriage returns from output lines. */
function cleanLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '').trimEnd();
}

export interface BuildResult {
  checks: CheckResult[];
  /** The image whose metadata the checks judge (built for service.arch, or service.image). */
  image?: ImageInfo;
  /** The image to run locally (the same, or a build for this machine's platform); absent when it cannot run here. */
  runnable?: string;
}

async function buildFor(config: ResolvedConfig, platform: string, tag: string, options: EngineCheckOptions): Promise<{ image?: ImageInfo; failure?: CheckResult }> {
  const build = config.image.build!;
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
        'image-builds',
        `${dockerfile} does not build for ${platform}: ${known ? asMessage(known.cause) : last}`,
        known ? known.fix : 'fix the failing step shown below (`docker build` shows the same), then run `berth doctor` again',
        output.slice(-LOG_LINES),
      ),
    };
  }
}

/** Builds (or finds) the image, checks it, and picks what can run on this machine. */
export async function prepareImage(config: ResolvedConfig, options: EngineCheckOptions): Promise<BuildResult> {
  const wanted = platformFor(soleWebService(config).arch);
  const here = hostPlatform();
  if (!config.image.build) {
    const reference = config.image.image!;
    const image = await inspectDockerImage(reference);
    if (!image) return { checks: [fail('image-builds', `the image ${reference} is not on this engine`, `pull or build it first (\`docker pull ${reference}\`), or let berth build it with service.build`)] };
    const checks = [pass('image-builds', `using the image ${reference} (service.image, no build)`)];
    const imagePlatform = `${image.os}/${image.architecture}`;
    if (imagePlatform !== here && imagePlatform === wanted) {
      return { checks: [...checks, warn('container-runs', `not run: the image is for ${imagePlatform} and this machine is ${here}`, 'run `berth doctor` on a machine of that architecture, or build the image with service.build')], image };
    }
    return { checks, image, runnable: image.id };
  }
  const built = await buildFor(config, wanted, doctorImageTag(config), options);
  if (!built.image) return { checks: [built.failure!] };
  const checks = [pass('image-builds', `${relative(config.dir, config.image.build.dockerfile) || 'Dockerfile'} builds for ${wanted}`)];
  if (wanted === here) return { checks, image: built.image, runnable: built.image.id };
  // The local run uses a build for this machine, as the local target does; AWS gets the service.arch build.
  const native = await buildFor(config, here, `${doctorImageTag(config)}-${here.split('/')[1]}`, options);
  if (!native.image) return { checks: [...checks, native.failure!], image: built.image };
  return { checks, image: built.image, runnable: native.image.id };
}

/** Checks of one image: its architecture, EXPOSE against each web service that runs it, its user. */
export function imageChecks(config: ResolvedConfig, image: ImageFacts, dockerfile?: DockerfileFacts, subject?: ImageSubject): CheckResult[] {
  const runs = subject?.services ?? config.services.filter((service) => !service.ownImage);
  const web = runs.filter((service): service is WebServiceSpec => service.kind === 'web');
  return [checkImageArch(config, image, dockerfile, subject), ...web.map((service) => checkExpose(config, image, service)), checkImageUser(image)];
}

/** Splits the engine's multiplexed log stream (non-TTY containers) into lines. */
export function demuxLogs(buffer: Buffer): string[] {
  const chunks: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length && (buffer[offset] === 1 || buffer[offset] === 2 || buffer[offset] === 0)) {
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  const text = offset === 0 ? buffer.toString('utf8') : chunks.join('');
  return text.split('\n').map(cleanLine).filter((line) => line.length > 0);
}

function redact(lines: string[], secrets: string[]): string[] {
  const values = secrets.filter((value) => value.length >= 4);
  return lines.map((line) => values.reduce((text, value) => text.split(value).join('***'), line));
}

async function freePort(range: [number, number]): Promise<number> {
  for (let port = range[0]; port <= range[1]; port++) {
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
 * The environment the container gets: service.env, declared secrets (real, or placeholders that are named),
 * and berth's own DATABASE_URL / PG* / REDIS_URL from the probe's real dependencies — never placeholders.
 */
export async function containerEnvironment(
  config: ResolvedConfig,
  secretValues?: SecretValueSource,
  connectionEnv: Record<string, string> = {},
): Promise<{ env: Record<string, string>; placeholders: string[]; secretValues: string[] }> {
  const env: Record<string, string> = { ...soleWebService(config).env, ...connectionEnv };
  const placeholders: string[] = [];
  const known = soleWebService(config).secrets.length > 0 && secretValues ? await secretValues(soleWebService(config).secrets).catch(() => undefined) : undefined;
  // The probe's database password is as secret as the user's values: it is redacted from log lines too.
  const values: string[] = connectionEnv.PGPASSWORD ? [connectionEnv.PGPASSWORD] : [];
  for (const name of soleWebService(config).secrets) {
    const value = known?.[name];
    if (value !== undefined) {
      env[name] = value;
      values.push(value);
    } else {
      env[name] = `berth-doctor-placeholder-${name.toLowerCase()}`;
      placeholders.push(name);
    }
  }
  const missing = reservedEnvNames(config, soleWebService(config).name).filter((name) => !(name in env));
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

/**
 * Starts the image like berth would, watches it for up to the grace period, and reports what it does.
 * An app with a database or cache gets throw-away ones first (see probe-dependency-plan.ts for why they
 * are never the environment's own), so an app that waits for PostgreSQL is judged with PostgreSQL there.
 */
export async function probeContainer(docker: Docker, config: ResolvedConfig, imageId: string, facts: ImageFacts, options: EngineCheckOptions): Promise<CheckResult[]> {
  const { port, health } = soleWebService(config);
  const name = `${config.app}-doctor-${Date.now().toString(36)}`;
  const dependencies = probeDependencyPlan(config, name, randomBytes(18).toString('base64url'));
  const { env, placeholders, secretValues } = await containerEnvironment(config, options.secretValues, dependencies.connectionEnv);
  const hostPort = options.hostPortRange ? String(await freePort(options.hostPortRange)) : '';
  let container: Docker.Container | undefined;
  const logs = async (): Promise<string[]> => {
    if (!container) return [];
    const buffer = (await container.logs({ stdout: true, stderr: true, tail: LOG_LINES, follow: false })) as unknown as Buffer;
    return redact(demuxLogs(buffer), secretValues);
  };
  /** The progress line of the current phase: the dependencies, then the app. */
  let current: ReturnType<Progress['step']> | undefined;
  const observe = async (): Promise<ProbeObservation> => {
    try {
      container = await docker.createContainer({
        name,
        Image: imageId,
        Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
        Cmd: soleWebService(config).command,
        Labels: probeLabels(config),
        ExposedPorts: { [`${port}/tcp`]: {} },
        HostConfig: { NetworkMode: dependencies.network.name, PortBindings: { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: hostPort }] }, Memory: soleWebService(config).memory * 1024 * 1024, MemorySwap: soleWebService(config).memory * 1024 * 1024 },
      });
      await container.start();
    } catch (error) {
      const json = (error as { json?: { message?: string } }).json;
      return { kind: 'start-failed', error: cleanLine(json?.message ?? (error as Error).message) };
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
        return { kind: 'exited', exitCode: state.State.ExitCode, oomKilled: state.State.OOMKilled, seconds: elapsed(), logTail: await logs() };
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
            return { kind: 'wrong-status', status, answering, logTail: await logs() };
          }
        } catch (error) {
          lastError = describeFetchError(error);
        }
      } else if (onPort.length > 0) {
        loopbackSince ??= Date.now();
        if (Date.now() - loopbackSince > SETTLE_MS) return { kind: 'loopback-only', sockets: onPort };
      } else {
        // Listening elsewhere only: give the app a moment to open service.port too before calling it wrong.
        const elsewhere = [...new Set(sockets.filter(reachableFromOutside).map((s) => s.port))];
        if (elsewhere.length > 0) {
          otherPortsSince ??= Date.now();
          if (Date.now() - otherPortsSince > SETTLE_MS) return { kind: 'wrong-port', ports: elsewhere };
        } else {
          otherPortsSince = undefined;
        }
      }
      // Every 5 s, so plain (CI) logs get a line now and then rather than one per poll.
      current?.update(`${Math.floor(elapsed() / 5) * 5}s of ${health.gracePeriod}s grace period`);
      await sleep(500);
    }
    const sockets = container ? await listeningSockets(container, (await container.inspect()).State.Pid) : undefined;
    if (sockets === undefined || sockets.some((s) => s.port === port && s.address !== DOCKER_DNS)) return { kind: 'no-answer', seconds: elapsed(), lastError, logTail: await logs() };
    return { kind: 'not-listening', seconds: elapsed(), logTail: await logs(), exposedPorts: facts.exposedPorts };
  };
  // Ctrl-C must not leave a throw-away PostgreSQL running: clean up, then exit as interrupted.
  const interrupted = (signal: NodeJS.Signals) => {
    current?.fail('interrupted');
    void docker.getContainer(name).remove({ force: true }).catch(() => undefined)
      .then(() => removeProbeDependencies(docker, dependencies))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // Its own network: the probe must not depend on the engine's default bridge, nor join a deployed environment's.
    if (dependencies.dependencies.length > 0) {
      current = options.progress.step(`Starting throw-away ${describeDependencies(dependencies.dependencies)} for the container probe`);
      const ready = await startProbeDependencies(docker, dependencies, (text) => current?.update(text));
      if (!ready.ok) {
        current.fail();
        return [dependencyProblem(config, ready)];
      }
      current.succeed('healthy');
    } else {
      await ensureNetwork(docker, dependencies);
    }
    current = options.progress.step(`Starting the container and waiting for GET ${health.path} on port ${port}`);
    const observation = await observe();
    const results = probeVerdict(observation, { config, placeholders, dependencies: dependencyNote(config, dependencies.dependencies) });
    if (results.some((r) => r.status === 'fail')) current.fail();
    else current.succeed();
    return results;
  } catch (error) {
    current?.fail();
    return [warn('container-runs', `could not run the container: ${(error as Error).message}`, 'check that the Docker engine works (`docker run --rm hello-world`)')];
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await container?.remove({ force: true }).catch(() => undefined);
    await removeProbeDependencies(docker, dependencies);
  }
}
