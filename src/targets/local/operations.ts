/**
 * TargetOperations for the local Docker engine: `localOperations(config)`.
 * State (releases, balancer config, plans) lives in environmentStateDir(app, env); secrets in a 0600
 * file under the user's config folder (see paths.ts). Images are kept per release as berth-<app>:<env>-release-<n>.
 */
import { notRealizedYet, soleWebService } from '../../model/transitional.js';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, hostPlatform, inspectImage, removeImageTag, tagImage } from '../../build/index.js';
import type { Progress } from '../../terminal/progress.js';
import type { ResolvedConfig } from '../../config/model.js';
import { OperationError, UsageError } from '../../errors.js';
import type { DeployOutcome, DeployRequest, DestroyRequest, LogLine, LogsRequest, Release, RollbackRequest, StatusReport, TargetOperations, TaskState } from '../operations.js';
import { BalancerClient } from './balancer-client.js';
import { connectEngine, demuxBuffer, engineError, listContainers, stopAndRemove, type Docker } from './engine.js';
import { declaredSecrets, dependencyVolumeName, environmentStateDir, LABEL_APP, LABEL_ENV, LABEL_RELEASE, LABEL_ROLE, localPrefix, localReleaseImage, networkName, POSTGRES_PORT, REDIS_PORT, rollbackTarget, STATE_FILES } from '../../model/index.js';
import { ReleaseStore } from './release-store.js';
import { rollout, type RolloutContext } from './rollout.js';
import { localSecretStore } from './secret-store.js';

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

  async function context(progress: Progress, timeoutSeconds: number): Promise<RolloutContext> {
    const missing = await secrets.missing();
    if (missing.length) {
      throw new UsageError(
        `berth.yml declares secret${missing.length === 1 ? '' : 's'} without a value for environment ${config.env}: ${missing.join(', ')}`,
        missing.map((name) => `berth secrets set ${name} --env ${config.env}`).join('; '),
      );
    }
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

  async function prepareImage(request: DeployRequest, release: number, progress: Progress): Promise<{ image: string; digest: string }> {
    const tag = localReleaseImage(config.app, config.env, release);
    const source = request.image ?? (config.image.build ? undefined : config.image.image);
    if (source) {
      const step = progress.step(`Image ${source}`);
      const info = await inspectImage(source);
      if (!info) {
        step.fail('not on this engine');
        throw new OperationError(`image ${source} is not on the local engine`, `build or pull it first (\`docker pull ${source}\`), or deploy without --image to build from berth.yml`);
      }
      await tagImage(source, tag);
      if (request.tag) await tagImage(source, request.tag);
      step.succeed(tag);
      return { image: tag, digest: info.digest ?? info.id };
    }
    const build = config.image.build!;
    const platform = hostPlatform();
    const step = progress.step(`Build ${build.dockerfile.replace(`${config.dir}/`, '')} for ${platform}`);
    try {
      const built = await buildImage({ build, platform, tags: [tag, ...(request.tag ? [request.tag] : [])], labels: { [LABEL_APP]: config.app, [LABEL_ENV]: config.env, [LABEL_RELEASE]: String(release) }, onLine: (line) => { if (/^Step \d+\/\d+/.test(line) || /^#\d+ \[/.test(line)) step.update(line.trim().slice(0, 100)); } });
      step.succeed(`${tag} (${built.id.slice(7, 19)})`);
      return { image: tag, digest: built.id };
    } catch (error) {
      step.fail();
      throw error;
    }
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

  /** Keeps the newest registry.keepReleases release images (and the one serving). */
  async function pruneImages(): Promise<void> {
    const current = releases.current()?.number;
    const keep = config.registry.keepReleases;
    for (const release of releases.list().slice(keep)) {
      if (release.number !== current) await removeImageTag(localReleaseImage(config.app, config.env, release.number));
    }
  }

  async function deploy(request: DeployRequest, progress: Progress): Promise<DeployOutcome> {
    return exclusively(async () => {
      const ctx = await context(progress, request.timeoutSeconds);
      const number = releases.nextNumber();
      const { image, digest } = await prepareImage(request, number, progress);
      const outcome = await rollout(ctx, { release: number, image, digest });
      if (outcome.ok) await pruneImages();
      return outcome;
    });
  }

  async function rollback(request: RollbackRequest, progress: Progress): Promise<DeployOutcome> {
    // The same rule as on AWS (src/model/release-rules.ts).
    const target = rollbackTarget(releases.list(), request.to);
    const targetNumber = target.number;
    const tag = localReleaseImage(config.app, config.env, targetNumber);
    if (!(await inspectImage(tag))) throw new OperationError(`the image of release ${targetNumber} (${tag}) is no longer on this engine`, 'deploy again instead, or pick another release');
    return exclusively(async () => {
      const ctx = await context(progress, request.timeoutSeconds);
      const number = releases.nextNumber();
      const newTag = localReleaseImage(config.app, config.env, number);
      await tagImage(tag, newTag);
      const outcome = await rollout(ctx, { release: number, image: newTag, digest: target.digest, rollbackOf: targetNumber });
      if (outcome.ok) await pruneImages();
      return outcome;
    });
  }

  async function status(): Promise<StatusReport> {
    const docker = await engine();
    const balancerStatus = await balancer.status();
    const current = releases.current();
    const containers = await listContainers(docker, config.app, config.env);
    const items: TaskState[] = [];
    for (const container of containers.filter((entry) => entry.Labels[LABEL_ROLE] === 'app')) {
      const name = container.Names[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12);
      const backend = balancerStatus?.backends.find((entry) => entry.containerId === container.Id);
      const health = backend?.health === 'healthy' ? 'healthy' : backend?.health === 'unhealthy' || backend?.health === 'down' ? 'unhealthy' : backend ? 'starting' : 'unknown';
      items.push({ id: name, release: Number(container.Labels[LABEL_RELEASE]), status: container.State, health, startedAt: new Date(container.Created * 1000).toISOString(), address: backend?.url, ...(backend?.lastError ? { stoppedReason: backend.lastError } : {}) });
    }
    const dependencies: StatusReport['dependencies'] = containers
      .filter((entry) => entry.Labels[LABEL_ROLE] === 'database' || entry.Labels[LABEL_ROLE] === 'cache')
      .map((entry) => {
        const role = entry.Labels[LABEL_ROLE] as 'database' | 'cache';
        const name = entry.Names[0]?.replace(/^\//, '') ?? '';
        return { kind: role, engine: role === 'database' ? 'postgres' : 'redis', endpoint: `${name}:${role === 'database' ? POSTGRES_PORT : REDIS_PORT}`, status: entry.Status };
      });
    const notes: string[] = [];
    if (balancerStatus) notes.push(`load balancer pid ${balancerStatus.pid} on 127.0.0.1:${balancerStatus.port}, started ${balancerStatus.startedAt}`);
    else if (current) notes.push('the load balancer is not running: run `berth deploy` to start it again');
    notes.push(...(balancerStatus?.events ?? []).slice(0, 5).map((event) => `event: ${event}`));
    const desired = current ? Math.max(1, soleWebService(config).count.min) : 0;
    return {
      app: config.app,
      env: config.env,
      target: 'local',
      url: current ? `http://127.0.0.1:${config.local.port}` : undefined,
      release: current,
      tasks: {
        desired,
        running: items.filter((item) => item.status === 'running').length,
        pending: items.filter((item) => item.health === 'starting').length,
        healthy: items.filter((item) => item.health === 'healthy').length,
        items,
      },
      deployments: current ? [{ id: `release-${current.number}`, status: 'PRIMARY', rollout: 'COMPLETED', desired, running: items.filter((item) => item.release === current.number && item.status === 'running').length, release: current.number }] : [],
      dependencies,
      alarms: [],
      notes,
    };
  }

  async function logs(request: LogsRequest, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    const docker = await engine();
    const containers = (await listContainers(docker, config.app, config.env)).filter((entry) => entry.State === 'running' || !request.follow);
    const since = Math.floor(Date.now() / 1000) - request.sinceSeconds;
    const secretValues = secrets.file.values();
    const matches = (text: string) => !request.filter || text.includes(request.filter);
    const source = (entry: Docker.ContainerInfo) => {
      const name = entry.Names[0]?.replace(/^\//, '') ?? entry.Id.slice(0, 12);
      return name.replace(`${localPrefix(config.app, config.env)}-`, '');
    };
    const toLine = (prefix: string, text: string): LogLine => {
      const match = /^(\d{4}-\d\d-\d\dT\S+Z) (.*)$/.exec(text);
      const message = Object.values(secretValues).filter((value) => value.length >= 4).reduce((line, value) => line.split(value).join('***'), match?.[2] ?? text);
      return { timestamp: match?.[1] ?? new Date().toISOString(), source: prefix, message };
    };
    if (!request.follow) {
      const lines: LogLine[] = [];
      for (const entry of containers) {
        const buffer = (await docker.getContainer(entry.Id).logs({ stdout: true, stderr: true, timestamps: true, since, follow: false })) as unknown as Buffer;
        for (const { text } of demuxBuffer(buffer)) {
          const line = toLine(source(entry), text);
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
              const line = toLine(source(entry), text);
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
    const step = progress.step('Stop the load balancer');
    step.succeed((await balancer.stop()) ? 'stopped' : 'was not running');
    const containers = await listContainers(docker, config.app, config.env);
    const remove = progress.step(`Remove ${containers.length} container${containers.length === 1 ? '' : 's'}`);
    await Promise.all(containers.map((container) => stopAndRemove(docker, container.Id, 10)));
    try {
      await docker.getNetwork(networkName(config.app, config.env)).remove();
    } catch {
      // not there
    }
    remove.succeed();
    const volumes = [dependencyVolumeName(config.app, config.env, 'database'), dependencyVolumeName(config.app, config.env, 'cache')];
    if (request.purge) {
      const purge = progress.step('Purge volumes, release images and state');
      for (const volume of volumes) await docker.getVolume(volume).remove().catch(() => undefined);
      for (const release of releases.list()) await removeImageTag(localReleaseImage(config.app, config.env, release.number));
      const content = secrets.file.read();
      if (Object.keys(content.generated).length) secrets.file.write({ ...content, generated: {} });
      if (existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
      purge.succeed(`removed ${volumes.join(', ')}`);
    } else {
      const content = releases.read();
      if (content.releases.length) {
        for (const release of content.releases) if (release.status === 'deployed') release.status = 'superseded';
        releases.replace({ releases: content.releases });
      }
      rmSync(join(stateDir, STATE_FILES.balancerConfig), { force: true });
      if (config.database || config.cache) progress.info(`kept volumes (data survives): ${volumes.filter((_, index) => (index === 0 ? config.database : config.cache)).join(', ')} — \`berth destroy --purge\` removes them`);
    }
  }

  async function listReleases(): Promise<Release[]> {
    return releases.list();
  }

  return { deploy, rollback, status, releases: listReleases, logs, destroy, secrets, run: () => notRealizedYet('berth run'), exec: () => notRealizedYet('berth exec') };
}
