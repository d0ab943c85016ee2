/**
 * TargetOperations for the local Docker engine: `localOperations(config)`.
 * State (releases, balancer config, plans, job runs) lives in environmentStateDir(app, env); secrets in a 0600
 * file under the user's config folder (src/model/state-paths.ts). Images are kept per release as
 * berth-<app>:<env>-release-<n> (and -<service> for a service with its own build).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../../config/model.js';
import { OperationError, UsageError } from '../../errors.js';
import { declaredSecrets, dependencyVolumeName, environmentStateDir, LABEL_ROLE, LABEL_SERVICE, localPrefix, networkName, rollbackTarget, STATE_FILES } from '../../model/index.js';
import type { Progress } from '../../terminal/progress.js';
import type { CommandOutcome, DeployOutcome, DeployRequest, DestroyRequest, ExecRequest, JobRun, JobRunRequest, LogLine, LogsRequest, ProcessIO, Release, RollbackRequest, RunRequest, StatusReport, TargetOperations } from '../operations.js';
import { BalancerClient } from './balancer-client.js';
import { connectEngine, demuxBuffer, engineError, listContainers, stopAndRemove, type Docker } from './engine.js';
import { JobRunStore } from './job-runs.js';
import { execInReplica, runJobNow, runOneOff, type OneOffContext } from './one-off.js';
import { redactSecrets } from './redact.js';
import { prepareReleaseImages, releaseDigest, removeReleaseImages, retagRelease } from './release-images.js';
import { ReleaseStore } from './release-store.js';
import { rollout, type RolloutContext } from './rollout.js';
import { localSecretStore } from './secret-store.js';
import { claimEnvironment, ownerElsewhere, refuseIfOwnedElsewhere } from './ownership.js';
import { localStatusReport } from './status-report.js';

export function localOperations(config: ResolvedConfig): TargetOperations {
  const stateDir = environmentStateDir('local', config.app, config.env);
  const secrets = localSecretStore(config.app, config.env, declaredSecrets(config));
  const releases = new ReleaseStore(stateDir);
  const balancer = new BalancerClient(stateDir, secrets.file.path);
  let docker: Docker | undefined;

  async function engine(): Promise<Docker> {
    if (docker) return docker;
    const connected = connectEngine();
    try {
      await connected.ping();
    } catch (error) {
      throw engineError(error, 'connecting');
    }
    docker = connected;
    return connected;
  }

  async function requireSecretValues(): Promise<void> {
    const missing = await secrets.missing();
    if (missing.length) {
      throw new UsageError(
        `berth.yml declares secret${missing.length === 1 ? '' : 's'} without a value for environment ${config.env}: ${missing.join(', ')}`,
        missing.map((name) => `berth secrets set ${name} --env ${config.env}`).join('; '),
      );
    }
  }

  /** Every value berth masks in what it shows: the secrets and the generated credentials. */
  function maskValues(): string[] {
    const content = secrets.file.read();
    return [...Object.values(content.secrets).map((entry) => entry.value), ...Object.values(content.generated)];
  }

  async function context(progress: Progress, timeoutSeconds: number): Promise<RolloutContext> {
    await requireSecretValues();
    return {
      config,
      docker: await engine(),
      balancer,
      releases,
      stateDir,
      secrets: secrets.file.values(),
      databasePassword: config.database ? secrets.file.generated('databasePassword') : undefined,
      progress,
      timeoutSeconds,
    };
  }

  async function oneOffContext(): Promise<OneOffContext> {
    await requireSecretValues();
    return {
      config,
      docker: await engine(),
      stateDir,
      current: releases.current(),
      secrets: secrets.file.values(),
      mask: maskValues(),
      databasePassword: config.database ? secrets.file.generated('databasePassword') : undefined,
    };
  }

  /** One deploy, rollback or destroy at a time per environment. */
  async function exclusively<T>(work: () => Promise<T>): Promise<T> {
    mkdirSync(stateDir, { recursive: true });
    const lock = join(stateDir, STATE_FILES.operationLock);
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
    } catch {
      const holder = Number(readFileSync(lock, 'utf8').trim());
      let alive = false;
      try { process.kill(holder, 0); alive = true; } catch { alive = false; }
      if (alive) throw new OperationError(`another berth command (pid ${holder}) is changing ${config.app} (${config.env})`, 'wait for it to finish, then run again');
      writeFileSync(lock, `${process.pid}\n`);
    }
    try {
      return await work();
    } finally {
      rmSync(lock, { force: true });
    }
  }

  /** Keeps the images of the newest registry.keepReleases releases (and the one serving). */
  async function pruneImages(): Promise<void> {
    const current = releases.current()?.number;
    for (const release of releases.list().slice(config.registry.keepReleases)) {
      if (release.number !== current) await removeReleaseImages(config, release.number);
    }
  }

  async function deploy(request: DeployRequest, progress: Progress): Promise<DeployOutcome> {
    return exclusively(async () => {
      const previousOwner = await claimEnvironment(config, await engine(), stateDir, request.takeOver === true);
      if (previousOwner) progress.info(`took over ${config.app} (${config.env}) from ${previousOwner}: its containers are removed, its volumes (data) are kept`);
      const ctx = await context(progress, request.timeoutSeconds);
      const number = releases.nextNumber();
      const images = await prepareReleaseImages(config, number, request, progress);
      const outcome = await rollout(ctx, { release: number, image: (images.find((image) => !image.service) ?? images[0]!).tag, digest: releaseDigest(images) });
      if (outcome.ok) await pruneImages();
      return outcome;
    });
  }

  async function rollback(request: RollbackRequest, progress: Progress): Promise<DeployOutcome> {
    // The same rule as on AWS (src/model/release-rules.ts).
    const target = rollbackTarget(releases.list(), request.to);
    return exclusively(async () => {
      await claimEnvironment(config, await engine(), stateDir, false);
      const ctx = await context(progress, request.timeoutSeconds);
      const number = releases.nextNumber();
      const images = await retagRelease(config, target.number, number);
      const outcome = await rollout(ctx, { release: number, image: (images.find((image) => !image.service) ?? images[0]!).tag, digest: target.digest, rollbackOf: target.number });
      if (outcome.ok) await pruneImages();
      return outcome;
    });
  }

  async function status(): Promise<StatusReport> {
    const docker = await engine();
    const runs = new JobRunStore(stateDir);
    return localStatusReport({
      config,
      ownedBy: await ownerElsewhere(config, docker, stateDir),
      current: releases.current(),
      containers: await listContainers(docker, config.app, config.env),
      balancer: await balancer.status(),
      runs: (job) => runs.list(job),
    });
  }

  async function logs(request: LogsRequest, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    const docker = await engine();
    if (request.service !== undefined && !config.services.some((service) => service.name === request.service)) {
      throw new UsageError(`--service ${request.service}: berth.yml has no service of that name (services: ${config.services.map((service) => service.name).join(', ')})`);
    }
    const containers = (await listContainers(docker, config.app, config.env))
      .filter((entry) => entry.State === 'running' || !request.follow)
      // Dependencies carry no service label: they show only when no --service narrows the lines.
      .filter((entry) => request.service === undefined || entry.Labels[LABEL_SERVICE] === request.service);
    const since = Math.floor(Date.now() / 1000) - request.sinceSeconds;
    const mask = maskValues();
    const matches = (text: string) => !request.filter || text.includes(request.filter);
    const source = (entry: Docker.ContainerInfo) => {
      const name = entry.Names[0]?.replace(/^\//, '') ?? entry.Id.slice(0, 12);
      return name.replace(`${localPrefix(config.app, config.env)}-`, '');
    };
    const toLine = (entry: Docker.ContainerInfo, text: string): LogLine => {
      const match = /^(\d{4}-\d\d-\d\dT\S+Z) (.*)$/.exec(text);
      const [message = ''] = redactSecrets([match?.[2] ?? text], mask);
      const service = entry.Labels[LABEL_SERVICE];
      return { timestamp: match?.[1] ?? new Date().toISOString(), source: source(entry), message, ...(service ? { service } : {}) };
    };
    if (!request.follow) {
      const lines: LogLine[] = [];
      for (const entry of containers) {
        const buffer = (await docker.getContainer(entry.Id).logs({ stdout: true, stderr: true, timestamps: true, since, follow: false })) as unknown as Buffer;
        for (const { text } of demuxBuffer(buffer)) {
          const line = toLine(entry, text);
          if (matches(line.message)) lines.push(line);
        }
      }
      lines.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      for (const line of lines) onLine(line);
      return;
    }
    await Promise.all(containers.map(async (entry) => {
      const stream = (await docker.getContainer(entry.Id).logs({ stdout: true, stderr: true, timestamps: true, since, follow: true })) as NodeJS.ReadableStream & { destroy(): void };
      let pending = Buffer.alloc(0);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener('abort', () => {
          stream.destroy();
          resolve();
        }, { once: true });
        stream.on('data', (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk]);
          // Emit whole frames only; keep a partial frame for the next chunk.
          let offset = 0;
          while (pending.length - offset >= 8) {
            const size = pending.readUInt32BE(offset + 4);
            if (pending.length - offset < 8 + size) break;
            for (const { text } of demuxBuffer(pending.subarray(offset, offset + 8 + size))) {
              const line = toLine(entry, text);
              if (matches(line.message)) onLine(line);
            }
            offset += 8 + size;
          }
          pending = pending.subarray(offset);
        });
        stream.on('end', () => resolve());
        stream.on('close', () => resolve());
        stream.on('error', () => resolve());
      });
    }));
  }

  async function destroy(request: DestroyRequest, progress: Progress): Promise<void> {
    return exclusively(() => destroyEnvironment(request, progress));
  }

  async function destroyEnvironment(request: DestroyRequest, progress: Progress): Promise<void> {
    const docker = await engine();
    // Never remove what another project deployed under the same names.
    await refuseIfOwnedElsewhere(config, docker, stateDir);
    // The balancer first: it would replace the replicas being removed and start scheduled job runs.
    const step = progress.step('Stop the load balancer and the job scheduler');
    step.succeed((await balancer.stop()) ? 'stopped' : 'was not running');
    const containers = await listContainers(docker, config.app, config.env);
    const counts = ['app', 'job', 'task'].map((role) => [role, containers.filter((entry) => entry.Labels[LABEL_ROLE] === role).length] as const).filter(([, count]) => count > 0);
    const remove = progress.step(`Remove ${containers.length} container${containers.length === 1 ? '' : 's'}${counts.length ? ` (${counts.map(([role, count]) => `${count} ${role === 'app' ? 'replica' : role === 'job' ? 'job run' : 'one-off task'}${count === 1 ? '' : 's'}`).join(', ')})` : ''}`);
    await Promise.all(containers.map((container) => stopAndRemove(docker, container.Id, 10)));
    try {
      await docker.getNetwork(networkName(config.app, config.env)).remove();
    } catch {
      // not there
    }
    remove.succeed();
    const volumes = [...(config.database ? [dependencyVolumeName(config.app, config.env, 'database')] : []), ...(config.cache ? [dependencyVolumeName(config.app, config.env, 'cache')] : [])];
    if (request.purge) {
      const purge = progress.step('Purge volumes, release images and state');
      for (const volume of [dependencyVolumeName(config.app, config.env, 'database'), dependencyVolumeName(config.app, config.env, 'cache')]) await docker.getVolume(volume).remove().catch(() => undefined);
      for (const release of releases.list()) await removeReleaseImages(config, release.number);
      const content = secrets.file.read();
      if (Object.keys(content.generated).length) secrets.file.write({ ...content, generated: {} });
      if (existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
      purge.succeed(volumes.length ? `removed ${volumes.join(', ')}` : 'removed the release images and state');
    } else {
      const content = releases.read();
      if (content.releases.length) {
        for (const release of content.releases) if (release.status === 'deployed') release.status = 'superseded';
        releases.replace({ releases: content.releases });
      }
      rmSync(join(stateDir, STATE_FILES.balancerConfig), { force: true });
      if (volumes.length) progress.info(`kept volumes (data survives): ${volumes.join(', ')} — \`berth destroy --purge\` removes them`);
    }
  }

  async function listReleases(): Promise<Release[]> {
    return releases.list();
  }

  async function run(request: RunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome> {
    return runOneOff(await oneOffContext(), request, io, progress, signal);
  }

  async function exec(request: ExecRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome> {
    return execInReplica(await oneOffContext(), request, io, progress, signal);
  }

  async function runJob(request: JobRunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome & { run: JobRun }> {
    return runJobNow(await oneOffContext(), request, io, progress, signal);
  }

  return { deploy, rollback, status, releases: listReleases, logs, destroy, secrets, run, exec, runJob };
}
