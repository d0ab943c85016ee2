/**
 * TargetOperations for the local Docker engine: `localOperations(config)`.
 * State (releases, balancer config, plans, job runs) lives in environmentStateDir(app, env); secrets in a 0600
 * file under the user's config folder (src/model/state-paths.ts). Images are kept per release as
 * berth-<app>:<env>-release-<n> (and -<service> for a service with its own build).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../../config/model.js';
import { OperationError, UsageError } from '../../errors.js';
import { declaredSecrets, dependencyVolumeName, environmentStateDir, LABEL_RELEASE, LABEL_ROLE, LABEL_SERVICE, localPrefix, localReleaseImage, networkName, ownedElsewhereMessage, releasePlanFile, releaseTaskContainerName, rollbackTarget, STATE_FILES } from '../../model/index.js';
import { silentProgress, type Progress } from '../../terminal/progress.js';
import type { CommandOutcome, DeployOutcome, DeployRequest, DestroyRequest, ExecRequest, JobRun, JobRunRequest, LogLine, LogsRequest, ProcessIO, Release, RollbackRequest, RollbackRestore, RunRequest, StatusReport, TargetOperations } from '../operations.js';
import { planLocal } from '../../plan/local/local-plan.js';
import { planRollback, type RollbackPlan } from '../../plan/local/rollback-plan.js';
import { describeChangesSince, missingRollbackSecrets, rollbackSecretsMissing } from '../../plan/release-changes.js';
import { BalancerClient } from './balancer-client.js';
import { connectEngine, demuxBuffer, engineError, listContainers, stopAndRemove, type Docker } from './engine.js';
import { JobRunStore } from './job-runs.js';
import { LogLineAssembler, logFrames } from './log-lines.js';
import { ensurePrivateDir } from './private-files.js';
import { execInReplica, runJobNow, runOneOff, type OneOffContext } from './one-off.js';
import { redactSecrets } from './redact.js';
import { parseReleasePlan } from './release-plan-file.js';
import { prepareReleaseImages, releaseDigest, removeDoctorImages, removeReleaseImages, retagRelease } from './release-images.js';
import { warmUpBuilds } from './release-slots.js';
import { ReleaseStore } from './release-store.js';
import { clearTrafficSwitch, readTrafficSwitch, returnTraffic, switchInFlight, writeTrafficSwitch } from './set-switch.js';
import { createdBy, retire, rollout, servingBalancerConfig, withoutSwitch, type RolloutContext } from './rollout.js';
import type { BalancerConfig } from './balancer-model.js';
import { describeSettlement, rollbackStopsAtUndo, settleKilledDeploy, type SettledKill } from './killed-deploy.js';
import { processIdentity, provenProcess, parseIdentity } from './process-identity.js';
import { localSecretStore } from './secret-store.js';
import { claimEnvironment, ownerElsewhere, refuseIfOwnedElsewhere } from './ownership.js';
import { localStatusReport } from './status-report.js';
import { BERTH_CODE } from './code-version.js';

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
    return secrets.file.maskValues();
  }

  /** `declaredSecrets: false`: a rollback of a recorded release checks the release's own secret names instead. */
  async function context(progress: Progress, timeoutSeconds: number, options: { declaredSecrets?: boolean } = {}): Promise<RolloutContext> {
    if (options.declaredSecrets !== false) await requireSecretValues();
    return {
      config,
      docker: await engine(),
      balancer,
      releases,
      stateDir,
      secrets: secrets.file.values(),
      databasePassword: config.database ? secrets.file.generated('databasePassword') : undefined,
      mask: maskValues(),
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

  /**
   * Every command on a deployed environment first starts its load balancer again when neither it nor its
   * supervisor runs (both killed, the machine restarted). Returns a line saying what was done or what failed.
   */
  /**
   * Starts a balancer that is not running; with `upgrade` (deploy and rollback), also restarts one that runs another
   * berth's code (code-version.ts), so the balancer never runs older code than the CLI that drives it.
   */
  async function repairBalancer(options: { upgrade?: boolean } = {}): Promise<{ repaired?: string; problem?: string }> {
    if (!releases.current()) return {};
    // Another project deployed these names with --take-over: this folder's balancer stays stopped.
    const docker = await engine().catch(() => undefined);
    if (docker && (await ownerElsewhere(config, docker, stateDir))) return {};
    try {
      if ((await balancer.repair()) === 'restarted') return { repaired: `berth started the load balancer again (it was not running); release ${releases.current()!.number} serves` };
      const earlier = options.upgrade ? await balancer.upgrade() : undefined;
      return earlier ? { repaired: `berth restarted the load balancer: it ran ${earlier.code ? `berth ${earlier.code}` : 'an earlier berth'}, now berth ${BERTH_CODE} (about a second without answers)` } : {};
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  }

  async function repairWithNotice(progress?: Progress, options: { upgrade?: boolean } = {}): Promise<void> {
    const { repaired, problem } = await repairBalancer(options);
    if (repaired) progress?.info(repaired);
    if (problem) progress?.warn(`the load balancer is not running: ${problem}`);
  }

  /**
   * The pid of a live berth command holding the environment's lock, if any. The lock records the holder's identity
   * (pid, start time, command line): a killed holder's lock does not block, even once its pid is reused.
   */
  function lockHolder(): number | undefined {
    const lock = join(stateDir, STATE_FILES.operationLock);
    if (!existsSync(lock)) return undefined;
    const text = readFileSync(lock, 'utf8').trim();
    if (parseIdentity(text)) return provenProcess(lock)?.pid;
    // A bare pid (an older berth): alive is all it can say.
    const holder = Number(text);
    if (!Number.isInteger(holder) || holder <= 0) return undefined;
    try {
      process.kill(holder, 0);
      return holder;
    } catch {
      return undefined;
    }
  }

  /** One deploy, rollback or destroy at a time per environment. */
  async function exclusively<T>(work: () => Promise<T>): Promise<T> {
    ensurePrivateDir(stateDir);
    const lock = join(stateDir, STATE_FILES.operationLock);
    const identity = `${JSON.stringify(processIdentity(process.pid) ?? { pid: process.pid, startTime: '', command: '' })}\n`;
    try {
      writeFileSync(lock, identity, { flag: 'wx', mode: 0o600 });
    } catch {
      const holder = lockHolder();
      if (holder !== undefined) throw new OperationError(`another berth command (pid ${holder}) is changing ${config.app} (${config.env})`, 'wait for it to finish, then run again');
      // Left by a command that was killed: taken over.
      writeFileSync(lock, identity, { mode: 0o600 });
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
    await removeReleaseImages(await engine(), config, releases.list().slice(config.registry.keepReleases).map((release) => release.number).filter((number) => number !== current));
  }

  /**
   * Under the lock, before a deploy or rollback (and from status and releases when a killed deploy left something):
   * releases a killed deploy left `deploying` become interrupted; its release.before task container is removed; the
   * balancer goes back to the release that served before, or keeps the killed one when the previous replicas are gone
   * (killed-deploy.ts); replicas no balancer routes to and of no current release are removed. Returns what was done
   * to the balancer, if anything.
   */
  async function cleanUpAfterKilledDeploys(docker: Docker, progress: Progress = silentProgress): Promise<SettledKill | undefined> {
    const killed = releases.list().filter((release) => release.status === 'deploying').map((release) => release.number);
    releases.settleInterrupted();
    // A finished before task's container is removed at once: one still here belongs to a deploy that was killed.
    for (const container of await listContainers(docker, config.app, config.env, 'job')) {
      const name = releaseTaskContainerName(config.app, config.env, Number(container.Labels[LABEL_RELEASE]));
      if (container.Names.some((entry) => entry.replace(/^\//, '') === name)) await stopAndRemove(docker, container.Id, 2);
    }
    const balancerNote = await settleBalancer(docker, killed, progress);
    const known = new Set((balancer.savedConfig()?.backends ?? []).map((backend) => backend.containerId));
    const current = releases.current()?.number;
    for (const container of await listContainers(docker, config.app, config.env, 'app')) {
      if (!known.has(container.Id) && container.Labels[LABEL_RELEASE] !== String(current)) await stopAndRemove(docker, container.Id, 2);
    }
    return balancerNote;
  }

  /** The balancer configuration of a release that served before a killed deploy, from its kept plan. */
  function previousServingConfig(release: number, saved: BalancerConfig): Omit<BalancerConfig, 'backends'> {
    const planFile = releasePlanFile(stateDir, release);
    if (existsSync(planFile)) {
      const { backends: _backends, ...rest } = servingBalancerConfig(parseReleasePlan(readFileSync(planFile, 'utf8'), undefined), planFile, []);
      return rest;
    }
    // No kept plan (an older berth): the saved routing, and the supervision the switch recorded when there is one.
    const { backends: _backends, ...rest } = withoutSwitch(saved);
    const previousSupervise = readTrafficSwitch(stateDir)?.previousSupervise;
    return { ...rest, ...(previousSupervise ? { supervise: previousSupervise } : {}) };
  }

  /** Applies killed-deploy.ts's settlement of the saved balancer configuration. */
  async function settleBalancer(docker: Docker, killed: readonly number[], progress: Progress): Promise<SettledKill | undefined> {
    const saved = balancer.savedConfig();
    if (!saved) return undefined;
    const containers = await listContainers(docker, config.app, config.env, 'app');
    const running = new Set(containers.filter((container) => container.State === 'running').map((container) => container.Id));
    const settlement = settleKilledDeploy(saved.backends, releases.current()?.number, (id) => running.has(id));
    if (settlement.kind === 'none') return undefined;
    const exists = new Set(containers.map((container) => container.Id));
    const removeAll = (entries: readonly { containerId: string }[]) => Promise.all(entries.map((entry) => stopAndRemove(docker, entry.containerId, 10)));
    const line = describeSettlement(settlement, killed);
    if (settlement.kind === 'restore') {
      const base = previousServingConfig(settlement.serving, saved);
      await balancer.apply({ ...base, backends: [...settlement.backends, ...settlement.drain] });
      await retire({ docker, balancer, progress }, settlement.drain, { whose: `the killed deploy of release ${settlement.drain[0]?.release ?? ''}` });
      await removeAll(settlement.remove);
      await balancer.apply({ ...base, backends: settlement.backends });
    } else if (settlement.kind === 'keep') {
      // Its switch already made it the supervised release: only the record is missing.
      await balancer.apply({ ...withoutSwitch(saved), backends: settlement.backends });
      await removeAll(settlement.remove);
      const record = releases.get(settlement.release);
      if (record) releases.record({ ...record, status: 'deployed', reason: line });
    } else {
      await balancer.stop();
      await removeAll(settlement.remove);
      rmSync(join(stateDir, STATE_FILES.balancerConfig), { force: true });
    }
    clearTrafficSwitch(stateDir);
    // An undo that stopped the balancer (nothing served before) leaves candidates that are gone already: nothing to say.
    if (!line || !(settlement.remove.some((entry) => exists.has(entry.containerId)) || settlement.kind === 'keep')) return undefined;
    return { line, ...(settlement.kind === 'restore' && settlement.drain.length > 0 ? { tookBackFrom: settlement.drain[0]!.release } : {}) };
  }

  /**
   * status and releases settle what a killed deploy left, under the lock, when no command holds it and something
   * was left (a `deploying` record or a balancer backend of another release than the current one).
   */
  async function settleIfKilled(docker: Docker): Promise<string | undefined> {
    if (lockHolder() !== undefined) return undefined;
    const current = releases.current()?.number;
    const left = releases.list().some((release) => release.status === 'deploying') || (balancer.savedConfig()?.backends ?? []).some((backend) => backend.release !== current);
    if (!left) return undefined;
    // Another project deployed these names with --take-over: what this folder's state says is not to act on.
    if (await ownerElsewhere(config, docker, stateDir)) return undefined;
    try {
      return (await exclusively(() => cleanUpAfterKilledDeploys(docker)))?.line;
    } catch (error) {
      // A deploy took the lock meanwhile: it settles what was left.
      if (error instanceof OperationError) return undefined;
      throw error;
    }
  }

  /** A deploy stopped by Ctrl-C/SIGTERM before its rollout began (while building): nothing to undo but the record. */
  function interruptedBeforeRollout(number: number): DeployOutcome {
    const serving = releases.current();
    const line = `interrupted: release ${number} was stopped before any replica started; ${serving ? `release ${serving.number} keeps serving` : 'nothing was serving before'}`;
    const release = releases.get(number);
    if (release) releases.record({ ...release, status: 'interrupted', reason: line });
    return { ok: false, env: config.env, ...(release ? { release: { ...release, status: 'interrupted', reason: line } } : {}), reasons: [line], logTail: [], interrupted: line };
  }

  /**
   * A deploy stopped by Ctrl-C/SIGTERM whose rollout had begun, when undoing it failed: the record stays `deploying`,
   * so the next berth command settles what it left exactly as after a killed deploy (killed-deploy.ts).
   */
  function interruptedUndoFailed(number: number, error: unknown): DeployOutcome {
    const serving = releases.current();
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const line = `interrupted: release ${number} was stopped during its rollout and undoing it failed (${why}); the next berth command (berth status) settles what it left${serving ? ` and puts release ${serving.number} back in rotation if it still runs` : ''}`;
    const release = releases.get(number);
    return { ok: false, env: config.env, ...(release ? { release } : {}), reasons: [line], logTail: [], interrupted: line };
  }

  /**
   * Runs a release's work; an error records the release as failed, or, when a signal stopped it, interrupted (before
   * the rollout began) or left to the next command (during it). `work` calls `rolling()` as its rollout begins.
   */
  async function settled(number: number, signal: AbortSignal | undefined, work: (rolling: () => void) => Promise<DeployOutcome>): Promise<DeployOutcome> {
    let rolled = false;
    try {
      return await work(() => { rolled = true; });
    } catch (error) {
      if (signal?.aborted) return rolled ? interruptedUndoFailed(number, error) : interruptedBeforeRollout(number);
      const release = releases.get(number);
      if (release?.status === 'deploying') releases.record({ ...release, status: 'failed', reason: (error instanceof Error ? error.message : String(error)).split('\n')[0] });
      throw error;
    }
  }

  async function deploy(request: DeployRequest, progress: Progress): Promise<DeployOutcome> {
    warmUpBuilds(config, request);
    return exclusively(async () => {
      const previousOwner = await claimEnvironment(config, await engine(), stateDir, request.takeOver === true);
      if (previousOwner) progress.info(`took over ${config.app} (${config.env}) from ${previousOwner}: its containers are removed, its volumes (data) are kept`);
      await repairWithNotice(progress, { upgrade: true });
      const ctx = { ...(await context(progress, request.timeoutSeconds)), signal: request.signal };
      const cleaned = await cleanUpAfterKilledDeploys(ctx.docker, progress);
      if (cleaned) progress.info(cleaned.line);
      const number = releases.allocate(request.image ?? localReleaseImage(config.app, config.env, releases.nextNumber()), createdBy());
      return settled(number, request.signal, async (rolling) => {
        const images = await prepareReleaseImages(ctx.docker, config, number, request, progress);
        if (request.signal?.aborted) return interruptedBeforeRollout(number);
        rolling();
        const outcome = await rollout(ctx, { release: number, image: (images.find((image) => !image.service) ?? images[0]!).tag, digest: releaseDigest(images) });
        if (outcome.ok) await pruneImages();
        return outcome;
      });
    });
  }

  async function rollback(request: RollbackRequest, progress: Progress): Promise<DeployOutcome> {
    // During a blue/green or canary deploy's canary time or bake the old replicas still run: traffic goes back at once,
    // without the operation lock the deploy holds (it drains its own replicas when it sees the return).
    const switching = readTrafficSwitch(stateDir);
    if (switchInFlight(switching)) {
      if (request.to !== undefined && request.to !== switching.previous) {
        throw new UsageError(`a ${config.deploy.strategy} deploy of release ${switching.release} is in its ${switching.phase} time, beside release ${switching.previous}, and --to ${request.to} is another release`, `run \`berth rollback\` without --to to return traffic to release ${switching.previous} at once`);
      }
      // Another project's deploy of these names is not this checkout's to turn back (as for every command that changes it).
      const owner = await ownerElsewhere(config, await engine(), stateDir);
      if (owner) throw new UsageError(ownedElsewhereMessage(config.app, config.env, owner).message, `roll it back from there (berth rollback --config ${owner})`);
      const step = progress.step(`Returning traffic to release ${switching.previous} (release ${switching.release} is in its ${switching.phase} time)`);
      const applied = await returnTraffic(balancer, switching);
      writeTrafficSwitch(stateDir, { ...switching, returned: true });
      step.succeed(`release ${switching.previous} has all traffic; the deploy of release ${switching.release} drains its replicas`);
      const serving = releases.list().find((entry) => entry.number === switching.previous) ?? releases.current();
      return { ok: applied !== undefined, env: config.env, ...(serving ? { release: serving } : {}), ...(applied?.port !== undefined ? { url: `http://127.0.0.1:${applied.port}` } : {}), reasons: applied ? [] : ['the load balancer has no saved configuration'], logTail: [] };
    }
    // The same rule as on AWS (src/model/release-rules.ts), checked before the engine is asked anything unless a
    // killed deploy left a release deploying: what its cleanup does decides (below).
    if (request.to !== undefined || !releases.list().some((release) => release.status === 'deploying')) rollbackTarget(releases.list(), request.to);
    return exclusively(async () => {
      await claimEnvironment(config, await engine(), stateDir, false);
      await repairWithNotice(progress, { upgrade: true });
      const cleaned = await cleanUpAfterKilledDeploys(await engine(), progress);
      if (cleaned) progress.info(cleaned.line);
      const serving = releases.current();
      if (cleaned?.tookBackFrom !== undefined && request.to === undefined && serving) {
        const note = rollbackStopsAtUndo(serving.number, cleaned.tookBackFrom);
        progress.info(note);
        const port = balancer.savedConfig()?.port;
        return { ok: true, env: config.env, release: serving, ...(port !== undefined ? { url: `http://127.0.0.1:${port}` } : {}), reasons: [], logTail: [], rollback: { release: serving.number, env: 'recorded', changes: [], note } };
      }
      // Decided after the cleanup: a killed deploy that kept all traffic is the current release now.
      const target = rollbackTarget(releases.list(), request.to);
      const databasePassword = config.database ? secrets.file.generated('databasePassword') : undefined;
      // Decided before anything changes: a secret the release needs and the store lacks stops here.
      const decided = restoreOf(target.number, releases.nextNumber(), databasePassword);
      const restore = announceRestore(decided, target.number, progress);
      const ctx = { ...(await context(progress, request.timeoutSeconds, { declaredSecrets: decided.recorded === false })), signal: request.signal };
      const number = releases.allocate(localReleaseImage(config.app, config.env, releases.nextNumber()), createdBy(), target.number);
      // Under the lock the number is the one planned; plan again should it ever not be.
      const restored = decided.recorded && decided.plan.release !== number ? restoreOf(target.number, number, databasePassword) : decided;
      return settled(number, request.signal, async (rolling) => {
        const images = await retagRelease(config, target.number, number, restored.recorded ? restored.plan.images : undefined);
        if (request.signal?.aborted) return { ...interruptedBeforeRollout(number), rollback: restore };
        rolling();
        const outcome = await rollout(ctx, { release: number, image: (images.find((image) => !image.service) ?? images[0]!).tag, digest: target.digest, rollbackOf: target.number, ...(restored.recorded ? { plan: restored.plan } : {}) });
        if (outcome.ok) await pruneImages();
        return { ...outcome, rollback: restore };
      });
    });
  }

  /**
   * The plan a rollback to release `from` runs as release `release`: the one `from` recorded (its env, secret names
   * and settings; src/plan/local/rollback-plan.ts), or `recorded: false` for a release recorded before berth kept it.
   */
  function restoreOf(from: number, release: number, databasePassword: string | undefined): RollbackPlan {
    const file = releasePlanFile(stateDir, from);
    let recorded: unknown;
    if (existsSync(file)) {
      try {
        recorded = parseReleasePlan(readFileSync(file, 'utf8'), databasePassword);
      } catch {
        return { recorded: false, why: `its recorded plan (${file}) could not be read` };
      }
    }
    return planRollback({ recorded, today: planLocal(config, { release, databasePassword }), config, from });
  }

  /**
   * Says, before anything rolls, whose env the rollback runs and what berth.yml changed since (names only); stops
   * (exit 1) when a secret the release needs has no value now, naming it and the fix.
   */
  function announceRestore(decided: RollbackPlan, from: number, progress: Progress): RollbackRestore {
    if (!decided.recorded) {
      const note = `release ${from} was recorded before berth kept each release's env (${decided.why}): it runs with today's berth.yml env and settings`;
      progress.info(note);
      return { release: from, env: 'current', changes: [], note };
    }
    const missing = missingRollbackSecrets(decided.secretNames, Object.keys(secrets.file.values()));
    if (missing.length) throw rollbackSecretsMissing(from, config.env, missing);
    const note = describeChangesSince(from, decided.changes);
    if (note) progress.info(note);
    return { release: from, env: 'recorded', changes: decided.changes, ...(note ? { note } : {}) };
  }

  async function status(): Promise<StatusReport> {
    const docker = await engine();
    const runs = new JobRunStore(stateDir);
    const { repaired: restarted, problem } = await repairBalancer();
    const cleaned = await settleIfKilled(docker);
    const repaired = [restarted, cleaned].filter(Boolean).join('; ') || undefined;
    return localStatusReport({
      config,
      ownedBy: await ownerElsewhere(config, docker, stateDir),
      current: releases.current(),
      containers: await listContainers(docker, config.app, config.env),
      balancer: await balancer.status(),
      berthCode: BERTH_CODE,
      runs: (job) => runs.list(job),
      ...(repaired ? { repaired } : {}),
      ...(problem ? { balancerProblem: problem } : {}),
    });
  }

  async function logs(request: LogsRequest, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    const docker = await engine();
    await repairBalancer();
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
        for (const { text } of demuxBuffer(buffer, { timestamps: true })) {
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
      const assembler = new LogLineAssembler({ timestamps: true });
      const emit = (lines: Array<{ text: string }>) => {
        for (const { text } of lines) {
          const line = toLine(entry, text);
          if (matches(line.message)) onLine(line);
        }
      };
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
            for (const frame of logFrames(pending.subarray(offset, offset + 8 + size))) emit(assembler.push(frame.stream, frame.text));
            offset += 8 + size;
          }
          pending = pending.subarray(offset);
        });
        stream.on('end', () => {
          emit(assembler.flush());
          resolve();
        });
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
    releases.settleInterrupted();
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
      await removeReleaseImages(docker, config, releases.list().map((release) => release.number));
      await removeDoctorImages(config);
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
    await repairBalancer();
    // A release still `deploying` while no berth command holds the lock was left by a killed deploy.
    const docker = await engine().catch(() => undefined);
    if (docker) await settleIfKilled(docker);
    if (!lockHolder()) releases.settleInterrupted();
    return releases.list();
  }

  async function run(request: RunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome> {
    await repairWithNotice(progress);
    return runOneOff(await oneOffContext(), request, io, progress, signal);
  }

  async function exec(request: ExecRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome> {
    await repairWithNotice(progress);
    return execInReplica(await oneOffContext(), request, io, progress, signal);
  }

  async function runJob(request: JobRunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome & { run: JobRun }> {
    await repairWithNotice(progress);
    return runJobNow(await oneOffContext(), request, io, progress, signal);
  }

  return { deploy, rollback, status, releases: listReleases, logs, destroy, secrets, run, exec, runJob };
}
