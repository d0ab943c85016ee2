/** The doctor's pure checks on an app of several services (examples/news-worker): each result names its service. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig, ServiceSpec } from '../config/model.js';
import { checkBuildArgSecrets, checkEnvSecrets, checkImageArch, checkSecretsSet, imageSubjects } from './config-checks.js';
import { imageChecks } from './engine-checks.js';
import { fargateShares, FIRST_DEPLOY_QUOTAS } from './aws-checks.js';
import { probeVerdict } from './probe-verdict.js';

const FILE = join(import.meta.dirname, '../../examples/news-worker/berth.yml');
const local = loadConfig({ config: FILE, env: 'local' });
const prod = loadConfig({ config: FILE, env: 'prod' });

/** news-worker with some services changed. */
function edit(config: ResolvedConfig, changes: Record<string, Partial<ServiceSpec>>): ResolvedConfig {
  return { ...config, services: config.services.map((service) => ({ ...service, ...changes[service.name] }) as ServiceSpec) };
}

const amd64 = { architecture: 'amd64', os: 'linux', user: 'app', exposedPorts: [8000] };

describe('config checks per service', () => {
  it('names the service whose env holds a secret-looking value, and where to move it', () => {
    const config = edit(local, { worker: { env: { ...local.services[0]!.env, STRIPE_SECRET_KEY: 'sk_live_51Habcdefghijkl' } } });
    const result = checkEnvSecrets(config);
    expect(result.status).toBe('warn');
    expect(result.message).toBe('services.worker.env sets STRIPE_SECRET_KEY, which looks secret (value not shown): plain env ends up in the task definition');
    expect(result.fix).toBe('move STRIPE_SECRET_KEY from services.worker.env to services.worker.secrets, then `berth secrets set STRIPE_SECRET_KEY --env local`');
    expect(JSON.stringify(result)).not.toContain('sk_live');
    expect(checkEnvSecrets(local)).toMatchObject({ status: 'pass', message: "no service's env holds a secret-looking value" });
  });

  it('checks EXPOSE against each web service that runs the image, naming its port key', () => {
    const results = imageChecks(local, amd64);
    expect(results.map((r) => [r.id, r.status])).toEqual([['image-arch', 'pass'], ['expose-port.web', 'pass'], ['expose-port.feeds', 'warn'], ['image-user', 'pass']]);
    expect(results[2]!.message).toBe('the image exposes 8000 but services.feeds.port is 8001');
    expect(results[2]!.fix).toContain('set services.feeds.port: 8000');
  });

  it('judges a service\'s own image against that service\'s arch, apart from the shared image', () => {
    const build = { context: local.dir, dockerfile: join(local.dir, 'Dockerfile'), args: { NPM_TOKEN: 'x' } };
    const config = edit(local, { worker: { ownImage: true, build, arch: 'arm64' } });
    const subjects = imageSubjects(config);
    expect(subjects.map((subject) => [subject.own?.name, subject.services.map((service) => service.name)])).toEqual([
      [undefined, ['web', 'feeds', 'fetch']],
      ['worker', ['worker']],
    ]);
    const worker = subjects[1]!;
    const arch = checkImageArch(config, amd64, undefined, worker);
    expect(arch).toMatchObject({ id: 'image-arch.worker', status: 'fail' });
    expect(arch.message).toMatch(/^the worker service's image is built for linux\/amd64, but services\.worker\.arch is arm64/);
    expect(arch.fix).toContain('or set services.worker.arch: x86_64');
    expect(checkImageArch(config, amd64, undefined, subjects[0]).id).toBe('image-arch');
    // A worker's image has no port to check.
    expect(imageChecks(config, amd64, undefined, worker).map((r) => r.id)).toEqual(['image-arch.worker', 'image-user.worker']);
    expect(checkBuildArgSecrets(config, undefined, worker)).toMatchObject({ id: 'build-args.worker', status: 'warn', message: expect.stringContaining('NPM_TOKEN (services.worker.build.args)') });
  });

  it('counts every service\'s declared secrets once', () => {
    const config = edit(local, { web: { secrets: ['API_KEY'] }, worker: { secrets: ['API_KEY', 'FEED_TOKEN'] } });
    expect(checkSecretsSet(config, ['FEED_TOKEN'], 'local secret store')).toMatchObject({ status: 'fail', message: 'declared secret without a value in the local secret store: FEED_TOKEN' });
    expect(checkSecretsSet(config, [], 'local secret store').message).toBe('all 2 declared secrets have values in the local secret store');
  });
});

describe('quotas over every service', () => {
  const needed = (config: ResolvedConfig, name: string) => FIRST_DEPLOY_QUOTAS.find((quota) => quota.name === name)!.needed(config);

  it('sums Fargate vCPUs over each service at its largest count and each job as one run', () => {
    // prod: web 0.25 vCPU × 6, feeds × 1, worker × 2, the fetch job × 1.
    expect(fargateShares(prod).map((share) => share.line)).toEqual([
      'web: 0.25 vCPU × 6 tasks (count.max) = 1.5 vCPU, On-Demand',
      'feeds: 0.25 vCPU × 1 task (count.max) = 0.25 vCPU, On-Demand',
      'worker: 0.25 vCPU × 2 tasks (count.max) = 0.5 vCPU, On-Demand',
      'fetch: 0.25 vCPU × 1 run (a job) = 0.25 vCPU, On-Demand',
    ]);
    expect(needed(prod, 'Fargate On-Demand vCPUs')).toBe(2.5);
    expect(needed(prod, 'Fargate Spot vCPUs')).toBeUndefined();
  });

  it('splits Spot from On-Demand by service', () => {
    const config = edit(prod, { worker: { spot: true } });
    expect(needed(config, 'Fargate On-Demand vCPUs')).toBe(2);
    expect(needed(config, 'Fargate Spot vCPUs')).toBe(0.5);
  });

  it('needs one load balancer for two web services, none when no web service has one', () => {
    expect(needed(prod, 'Application Load Balancers per region')).toBe(1);
    const workersOnly = { ...prod, services: prod.services.filter((service) => service.kind !== 'web') };
    expect(needed(workersOnly, 'Application Load Balancers per region')).toBeUndefined();
  });
});

describe('probe verdicts name the service', () => {
  const [web, , worker] = local.services;

  it('reports a worker that kept running, and a web service\'s health, each under its own id', () => {
    expect(probeVerdict({ kind: 'kept-running', seconds: 31, healthCommand: true }, { config: local, service: worker, placeholders: [] })).toEqual([
      expect.objectContaining({ id: 'container-runs.worker', status: 'pass', message: 'worker: the worker started with the environment berth gives it and kept running for 31s, passing its health command' }),
    ]);
    const healthy = probeVerdict({ kind: 'healthy', status: 200, seconds: 2 }, { config: local, service: web, placeholders: [] });
    expect(healthy.map((r) => r.id)).toEqual(['container-runs.web', 'container-port.web', 'health-path.web']);
    expect(healthy[2]!.message).toBe('web: GET /health answered 200 after 2.0s (grace period 30s)');
  });

  it('explains a worker that crashed at start with its own log, naming it', () => {
    const [runs] = probeVerdict({ kind: 'exited', exitCode: 1, oomKilled: false, seconds: 1, logTail: ["ModuleNotFoundError: No module named 'rq'"] }, { config: local, service: worker, placeholders: [] });
    expect(runs).toMatchObject({ id: 'container-runs.worker', status: 'fail' });
    expect(runs!.message).toMatch(/^worker: the container exited with code 1 after 1s: /);
    expect(runs!.message).toContain('rq');
  });

  it('fails a worker whose health command keeps failing after its grace period', () => {
    const results = probeVerdict({ kind: 'health-command-failed', output: 'no heartbeat yet', logTail: [] }, { config: local, service: worker, placeholders: [] });
    expect(results.map((r) => [r.id, r.status])).toEqual([['container-runs.worker', 'pass'], ['health-command.worker', 'fail']]);
    expect(results[1]!.message).toBe('worker: the health command ["python","heartbeat.py","check"] failed 3 times after the 30s grace period: no heartbeat yet');
  });
});

describe('diagnoses of a failed deploy name the service\'s keys', () => {
  it('says services.feeds.port for the feeds service listening elsewhere, service.port for a one-service app', async () => {
    const { diagnose } = await import('./diagnose.js');
    const { emptyEvidence } = await import('./failure-evidence.js');
    const evidence = { ...emptyEvidence('local'), service: 'feeds', listening: [{ address: '0.0.0.0', port: 5000 }] };
    const [first] = diagnose(evidence, local);
    expect(first).toMatchObject({ id: 'app-wrong-port', cause: 'The app listens on port 5000, not on services.feeds.port 8001: the health checks to port 8001 get no answer.' });
    expect(first!.fix).not.toMatch(/\bservice\.port/);
    const single = { ...local, services: [{ ...local.services[0]!, route: {} }] } as ResolvedConfig;
    expect(diagnose({ ...evidence, service: 'web' }, single)[0]!.cause).toBe('The app listens on port 5000, not on service.port 8000: the health checks to port 8000 get no answer.');
  });
});
