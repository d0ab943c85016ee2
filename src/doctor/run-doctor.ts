/**
 * Runs every doctor check for one environment, in the order a deploy would hit the problems:
 * configuration, the local engine and image, the container at run time, AWS preconditions, and the
 * evidence of the last failed deploy. Returns plain results for the command to render.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type Docker from 'dockerode';
import type { BuildSpec, ResolvedConfig } from '../config/model.js';
import { declaredSecrets, webServices } from '../model/index.js';
import { BerthError } from '../errors.js';
import type { Progress } from '../terminal/progress.js';
import { fail, maskCheck, warn, type CheckResult } from './check-result.js';
import { checkBuildArgSecrets, checkEnvSecrets, checkSecretsSet, imageSubjects, subjectImage, type DockerfileFacts } from './config-checks.js';
import { probeCheckId } from './probe-verdict.js';
import { diagnose } from './diagnose.js';
import type { FailureEvidence } from './failure-evidence.js';
import type { AwsClients } from './aws-checks.js';
import type { SecretValueSource, ServiceProbe } from './engine-checks.js';

export interface DoctorOptions {
  progress: Progress;
  /** Values of declared secrets for the local run (the local secret store); placeholders when absent. */
  secretValues?: SecretValueSource;
  /** Host ports the container probe may publish on. */
  hostPortRange?: [number, number];
  /** AWS clients to use; created from the standard chain when absent. */
  awsClients?: AwsClients;
  /** Skip the Docker engine checks (e.g. --no-docker). */
  skipEngine?: boolean;
  /** Every secret value berth knows for the environment (declared and generated): masked in every result. */
  maskValues?: readonly string[];
}

/** Turns the diagnoses of a failed deploy into failing checks "last-deploy.<known failure id>". */
export function lastDeployChecks(evidence: FailureEvidence, config: ResolvedConfig, recordedAt?: string): CheckResult[] {
  const diagnoses = diagnose(evidence, config);
  const when = recordedAt ? ` (deploy of ${recordedAt})` : '';
  if (diagnoses.length === 0) {
    const lines = [...evidence.stoppedTasks.map((t) => t.stoppedReason ?? '').filter(Boolean), ...evidence.serviceEvents, ...evidence.stackEvents].slice(0, 10);
    return [fail('last-deploy', `the last deploy failed${when} for a reason berth does not recognise`, 'read the details below and `berth logs`; please report the message so berth can explain it next time', [...lines, ...evidence.logTail.slice(-10)])];
  }
  return diagnoses.map((d) => fail(`last-deploy.${d.id}`, `last deploy${when}: ${d.title.toLowerCase()}: ${d.cause}`, d.fix, [...d.evidence.slice(0, 5), ...(d.logTail ?? [])]));
}

/** Declared secrets' values from the local target's secret file (for the local run only; never printed). */
export async function localSecretValues(config: ResolvedConfig): Promise<SecretValueSource> {
  const { localSecretStore } = await import('../targets/local/secret-store.js');
  const store = localSecretStore(config.app, config.env, declaredSecrets(config));
  return async (names) => {
    const values = store.file.values();
    return Object.fromEntries(names.map((name) => [name, values[name]]));
  };
}

/** The local environment's values to mask: its secrets and generated credentials (the local target's one list). */
export async function localMaskValues(config: ResolvedConfig): Promise<string[]> {
  const { localSecretStore } = await import('../targets/local/secret-store.js');
  try {
    return localSecretStore(config.app, config.env, declaredSecrets(config)).file.maskValues();
  } catch {
    // An unreadable secret file holds no value berth could have given a container.
    return [];
  }
}

/** A Dockerfile's ARG names and FROM --platform pins (the app's by default); undefined without a build or when unreadable. */
export async function readDockerfileFacts(config: ResolvedConfig, build: BuildSpec | undefined = config.image.build): Promise<DockerfileFacts | undefined> {
  if (!build) return undefined;
  try {
    const { parseDockerfile } = await import('../build/dockerfile.js');
    const info = parseDockerfile(await readFile(build.dockerfile, 'utf8'));
    const platformPins = info.stages.flatMap((stage) => (stage.platform ? [{ platform: stage.platform, line: stage.line }] : []));
    return { file: relative(config.dir, build.dockerfile) || 'Dockerfile', args: info.args, platformPins };
  } catch {
    return undefined;
  }
}

/** Every check, with every secret value berth knows masked (log lines, build output, last failure's record). */
export async function runDoctor(config: ResolvedConfig, options: DoctorOptions): Promise<CheckResult[]> {
  const results = await runChecks(config, options);
  return results.map((result) => maskCheck(result, options.maskValues ?? []));
}

async function runChecks(config: ResolvedConfig, options: DoctorOptions): Promise<CheckResult[]> {
  // Every image of the release: the app's shared one and each service's own, with its Dockerfile's facts.
  const images = await Promise.all(imageSubjects(config).map(async (subject) => ({ subject, dockerfile: await readDockerfileFacts(config, subjectImage(config, subject).build) })));
  const results: CheckResult[] = [checkEnvSecrets(config), ...images.filter(({ subject }) => subjectImage(config, subject).build).map(({ subject, dockerfile }) => checkBuildArgSecrets(config, dockerfile, subject))];

  if (config.target === 'local') {
    const declared = declaredSecrets(config);
    const known = declared.length > 0 && options.secretValues ? await options.secretValues(declared).catch(() => undefined) : undefined;
    const missing = known ? declared.filter((name) => known[name] === undefined) : undefined;
    results.push(checkSecretsSet(config, missing, 'local secret store'));
    // The local load balancer exists only in front of web services.
    if (webServices(config).length > 0) {
      const { checkLocalPort } = await import('./local-port-check.js');
      results.push(await checkLocalPort(config));
    }
  }

  let docker: Docker | undefined;
  if (!options.skipEngine) {
    const engine = await import('./engine-checks.js');
    docker = await engine.connectDocker();
    const engineCheck = await engine.checkEngine(docker);
    results.push(engineCheck);
    if (engineCheck.status === 'pass') {
      const probes: ServiceProbe[] = [];
      for (const { subject, dockerfile } of images) {
        const prepared = await engine.prepareImage(config, options, subject);
        const [first, ...rest] = prepared.checks;
        results.push(first!);
        if (prepared.image) results.push(...engine.imageChecks(config, prepared.image, dockerfile, subject));
        results.push(...rest);
        for (const service of subject.services) {
          if (service.kind === 'job') continue;
          if (prepared.image && prepared.runnable) probes.push({ service, image: prepared.runnable, facts: prepared.image });
          else if (prepared.notRun) results.push(warn(probeCheckId('container-runs', config, service), prepared.notRun.message, prepared.notRun.fix));
        }
      }
      // In berth.yml's order, whatever image each service runs.
      const order = config.services.map((service) => service.name);
      probes.sort((a, b) => order.indexOf(a.service.name) - order.indexOf(b.service.name));
      results.push(...(await engine.probeServices(docker, config, probes, options)));
    } else {
      docker = undefined;
    }
  }

  if (config.target === 'aws') {
    const step = options.progress.step('Checking AWS credentials, permissions and quotas');
    const { awsChecks, createAwsClients } = await import('./aws-checks.js');
    let aws: CheckResult[];
    try {
      aws = await awsChecks(config, options.awsClients ?? (await createAwsClients(config)));
    } catch (error) {
      // No region (or a --region that contradicts berth.yml): one failing check, and the other checks still report.
      if (!(error instanceof BerthError)) throw error;
      aws = [fail('aws-credentials', error.message, error.hint ?? 'set region in berth.yml, pass --region, or export AWS_REGION')];
    }
    if (aws.some((r) => r.status === 'fail')) step.fail();
    else if (aws.some((r) => r.status === 'warn')) step.warn();
    else step.succeed();
    results.push(...aws);
  }

  const { readLastFailure, localEngineEvidence, supersededLocally } = await import('./last-failure.js');
  const found = await readLastFailure(config);
  const record = found && config.target === 'local' && (await supersededLocally(config, found)) ? undefined : found;
  if (record) {
    results.push(...lastDeployChecks(record.evidence, config, record.recordedAt));
  } else if (config.target === 'local' && docker) {
    const evidence = await localEngineEvidence(docker, config, options.maskValues).catch(() => undefined);
    if (evidence) results.push(...lastDeployChecks(evidence, config));
  }
  return results;
}
