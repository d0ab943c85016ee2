import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../terminal/progress.js';
import { emptyEvidence } from '../../doctor/failure-evidence.js';
import type { Release } from '../operations.js';
import { runDeploy, type DeployPorts } from './deploy-flow.js';
import type { RolloutSnapshot } from './rollout.js';
import type { SecurityChanges, StackDeployer } from './stack-deployer.js';

const REPO = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/berth/shop';
const NEW = `sha256:${'c'.repeat(64)}`;
const OLD = `sha256:${'d'.repeat(64)}`;
const URL = 'http://berth-shop-prod-123.eu-west-1.elb.amazonaws.com';

interface Fake {
  ports: DeployPorts;
  stored: Map<number, Release>;
  deployed: string[];
  synthImages: Array<string | undefined>;
  pushed: number;
}

function fake(options: { snapshots?: Array<Omit<RolloutSnapshot, 'probe'>>; probeStatus?: number; missing?: string[]; history?: Release[]; deployError?: Error; security?: SecurityChanges; confirm?: boolean; hangStack?: boolean } = {}): Fake {
  let clock = Date.parse('2026-11-23T12:00:00Z');
  const stored = new Map<number, Release>((options.history ?? []).map((release) => [release.number, release]));
  const deployed: string[] = [];
  const synthImages: Array<string | undefined> = [];
  const snapshots = [...(options.snapshots ?? [])];
  const state = { pushed: 0 };
  const deployer: StackDeployer = {
    bootstrap: async () => undefined,
    diff: async () => ({ stack: '', text: '', changes: false, securityChanges: false }),
    destroy: async () => undefined,
    deploy: async (_dir, stack, hooks) => {
      deployed.push(stack);
      hooks.onEvent({ stack, logicalId: 'Service', resourceType: 'AWS::ECS::Service', status: 'UPDATE_IN_PROGRESS' });
      if (options.security && stack.endsWith('prod')) {
        if (!(await hooks.confirmSecurityChanges(options.security))) throw Object.assign(new Error('cancelled, nothing was changed'), { name: 'OperationError' });
      }
      if (options.hangStack && stack.endsWith('prod')) return new Promise(() => undefined);
      if (options.deployError && stack.endsWith('prod')) throw options.deployError;
      return { outputs: stack.endsWith('registry') ? { RepositoryUri: REPO } : { Url: URL, ClusterName: 'c', ServiceName: 's', TargetGroupArn: 'tg', LogGroupName: '/berth/shop/prod' } };
    },
  };
  const ports: DeployPorts = {
    config: { app: 'shop', env: 'prod', services: [{ name: 'web', kind: 'web', route: {}, health: { path: '/health' } }] } as unknown as DeployPorts['config'],
    progress: silentProgress,
    principal: 'Deploy/alice',
    gitSha: 'abc1234',
    releases: {
      list: async () => [...stored.values()],
      create: async (release) => {
        const number = Math.max(0, ...stored.keys()) + 1;
        const created = { number, ...release };
        stored.set(number, created);
        return created;
      },
      update: async (release) => { stored.set(release.number, release); },
    },
    missingSecrets: async () => options.missing ?? [],
    synthesize: async (image) => { synthImages.push(image); return { assembly: { directory: '/tmp/cdk.out' }, registryStack: 'berth-shop-registry', environmentStack: 'berth-shop-prod' }; },
    deployer,
    ensureBootstrapped: async () => undefined,
    build: async (n) => ({ localImage: `berth-shop:prod-release-${n}` }),
    push: async () => { state.pushed += 1; return { image: `${REPO}@${NEW}`, digest: NEW }; },
    snapshot: async () => snapshots.length > 1 ? snapshots.shift()! : snapshots[0]!,
    probe: async (url, path) => ({ url: `${url}${path}`, status: options.probeStatus ?? 200 }),
    evidence: async () => ({
      ...emptyEvidence('aws'),
      stoppedTasks: [{ id: '0123456789abcdef', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }] }],
      logTail: ['Traceback (most recent call last):', "KeyError: 'DATABASE_URL'"],
    }),
    confirmSecurityChanges: async () => options.confirm ?? true,
    now: () => clock,
    sleep: async (ms) => { clock += ms; },
    pollSeconds: 10,
  };
  return { ports, stored, deployed, synthImages, get pushed() { return state.pushed; } };
}

function healthy(digest = NEW): Omit<RolloutSnapshot, 'probe'> {
  return { deployments: [{ id: 'd1', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: 'td:2', images: [`${REPO}@${digest}`], desired: 2, running: 2, pending: 0, failedTasks: 0 }], desired: 2, running: 2, targets: [{ id: 'a', state: 'healthy' }, { id: 'b', state: 'healthy' }], events: [] };
}

function release(number: number, status: Release['status'], digest: string): Release {
  return { number, image: `${REPO}@${digest}`, digest, createdAt: '2026-11-01T00:00:00Z', createdBy: 'bob', status };
}

describe('runDeploy', () => {
  it('healthy: deploys registry then environment, pins the pushed digest, marks the release deployed and returns the URL', async () => {
    const f = fake({ snapshots: [{ ...healthy(OLD) }, healthy()], history: [release(1, 'deployed', OLD)] });
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 1200 });
    expect(outcome).toMatchObject({ ok: true, env: 'prod', url: URL, reasons: [] });
    expect(outcome.release).toMatchObject({ number: 2, digest: NEW, gitSha: 'abc1234', createdBy: 'Deploy/alice', status: 'deployed' });
    expect(f.deployed).toEqual(['berth-shop-registry', 'berth-shop-prod']);
    expect(f.synthImages).toEqual([undefined, `${REPO}@${NEW}`]);
    expect(f.stored.get(1)?.status).toBe('superseded');
  });

  it('circuit breaker rollback: not ok, says so, with stopped task reasons and the failed task\'s last log lines', async () => {
    const rolledBack: Omit<RolloutSnapshot, 'probe'> = {
      deployments: [
        { id: 'd0', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: 'td:1', images: [`${REPO}@${OLD}`], desired: 2, running: 2, pending: 0, failedTasks: 0 },
        { id: 'd1', status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', taskDefinition: 'td:2', images: [`${REPO}@${NEW}`], desired: 0, running: 0, pending: 0, failedTasks: 4 },
      ],
      desired: 2, running: 2, events: [],
    };
    const f = fake({ snapshots: [rolledBack], history: [release(1, 'deployed', OLD)] });
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 1200 });
    expect(outcome.ok).toBe(false);
    expect(outcome.release?.status).toBe('rolled-back');
    expect(outcome.reasons).toContain('the ECS deployment was rolled back: ECS deployment circuit breaker: tasks failed to start.');
    expect(outcome.reasons).toContain('task 0123456789ab stopped: EssentialContainerExited: Essential container in task exited: app exit 1');
    expect(outcome.reasons).toContain('release 1 is still the current release');
    expect(outcome.logTail).toEqual(['Traceback (most recent call last):', "KeyError: 'DATABASE_URL'"]);
    expect(f.stored.get(1)?.status).toBe('deployed');
  });

  it('carries the doctor\'s diagnosis apart from the reasons, for the CLI to print first', async () => {
    const failed: Omit<RolloutSnapshot, 'probe'> = {
      deployments: [{ id: 'd1', status: 'PRIMARY', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', taskDefinition: 'td:2', images: [`${REPO}@${NEW}`], desired: 2, running: 0, pending: 0, failedTasks: 4 }],
      desired: 2, running: 0, events: [],
    };
    const f = fake({ snapshots: [failed] });
    const seen: string[][] = [];
    f.ports.diagnose = (evidence) => {
      seen.push(evidence.logTail);
      return [{ id: 'missing-env-var', title: 'The app needs an environment variable it did not get', cause: 'The app stopped at start-up because the environment variable DATABASE_URL is not set.', fix: 'Add DATABASE_URL to service.env.', evidence: [], conclusive: true }];
    };
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 1200 });
    expect(seen).toEqual([['Traceback (most recent call last):', "KeyError: 'DATABASE_URL'"]]);
    expect(outcome.diagnoses).toEqual([{ id: 'missing-env-var', title: 'The app needs an environment variable it did not get', cause: 'The app stopped at start-up because the environment variable DATABASE_URL is not set.', fix: 'Add DATABASE_URL to service.env.' }]);
    expect(outcome.reasons.join('\n')).not.toContain('Fix:');
  });

  it('a stack that fails because the circuit breaker fired counts as rolled back', async () => {
    const f = fake({ deployError: new Error('deploying stack berth-shop-prod failed:\n  Service: UPDATE_FAILED: Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'.') });
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 1200 });
    expect(outcome).toMatchObject({ ok: false, release: { status: 'rolled-back' } });
    expect(outcome.reasons[0]).toMatch(/Circuit Breaker was triggered/);
  });

  it('a health path that does not answer 2xx is not done; the wait ends at --timeout saying what it waited for', async () => {
    const f = fake({ snapshots: [healthy()], probeStatus: 502 });
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 60 });
    expect(outcome.ok).toBe(false);
    expect(outcome.reasons[0]).toBe(`the deploy did not become healthy within 1m (--timeout); still waiting for: GET ${URL}/health to answer 2xx (got 502)`);
    expect(outcome.release?.status).toBe('failed');
  });

  it('a stack deploy that hangs is bounded by --timeout', async () => {
    const f = fake({ hangStack: true });
    f.ports.now = () => Date.now();
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 0.05 });
    expect(outcome.ok).toBe(false);
    expect(outcome.reasons[0]).toMatch(/still waiting for: stack berth-shop-prod to finish/);
  });

  it('refuses before touching anything while a declared secret has no value, naming it', async () => {
    const f = fake({ missing: ['STRIPE_KEY'] });
    await expect(runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 60 })).rejects.toThrow('berth.yml declares secret without a value in Secrets Manager for environment prod: STRIPE_KEY');
    expect(f.deployed).toEqual([]);
    expect(f.pushed).toBe(0);
  });

  it('--image deploys a pushed image without building or pushing', async () => {
    const f = fake({ snapshots: [healthy()] });
    f.ports.build = async () => { throw new Error('must not build'); };
    const outcome = await runDeploy(f.ports, { kind: 'image', image: { image: `${REPO}@${NEW}`, digest: NEW } }, { timeoutSeconds: 600 });
    expect(outcome.ok).toBe(true);
    expect(f.pushed).toBe(0);
    expect(f.synthImages).toEqual([`${REPO}@${NEW}`]);
  });

  it('rollback redeploys the chosen release\'s digest and records where it came from', async () => {
    const f = fake({ snapshots: [healthy(OLD)], history: [release(1, 'superseded', OLD), release(2, 'deployed', NEW)] });
    const outcome = await runDeploy(f.ports, { kind: 'rollback', release: release(1, 'superseded', OLD) }, { timeoutSeconds: 600 });
    expect(outcome).toMatchObject({ ok: true, release: { number: 3, digest: OLD, rollbackOf: 1, status: 'deployed' } });
    expect(f.stored.get(2)?.status).toBe('superseded');
  });

  it('gives a deployed release\'s image its keep tag (a rollback its release tag too); a failed release gets no keep tag', async () => {
    const tagged: string[] = [];
    const ok = fake({ snapshots: [healthy(OLD)], history: [release(11, 'superseded', OLD), release(12, 'deployed', NEW)] });
    ok.ports.tagRelease = async (image, tag) => { tagged.push(`${image.split('@')[1]!.slice(0, 10)} ${tag}`); return true; };
    ok.ports.keepReleases = 10;
    await runDeploy(ok.ports, { kind: 'rollback', release: release(11, 'superseded', OLD) }, { timeoutSeconds: 600 });
    expect(tagged).toEqual([`${OLD.slice(0, 10)} prod-release-13`, `${OLD.slice(0, 10)} prod-keep-3`]);

    tagged.length = 0;
    const failed = fake({ probeStatus: 500, snapshots: [healthy()] });
    failed.ports.tagRelease = ok.ports.tagRelease;
    failed.ports.keepReleases = 10;
    const outcome = await runDeploy(failed.ports, { kind: 'image', image: { image: `${REPO}@${NEW}`, digest: NEW } }, { timeoutSeconds: 60 });
    expect(outcome.ok).toBe(false);
    expect(tagged).toEqual([`${NEW.slice(0, 10)} prod-release-1`]);
  });

  it('declined security changes stop the deploy', async () => {
    const { OperationError } = await import('../../errors.js');
    const f = fake({ security: { stack: '', kind: 'broadening', text: 'IAM Statement Changes' }, confirm: false });
    f.ports.deployer.deploy = async (_dir, stack, hooks) => {
      if (stack.endsWith('prod') && !(await hooks.confirmSecurityChanges({ stack: '', kind: 'broadening', text: 'x' }))) throw new OperationError(`deploying stack ${stack}: cancelled, nothing was changed`);
      return { outputs: { RepositoryUri: REPO } };
    };
    await expect(runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 600 })).rejects.toThrow(/cancelled, nothing was changed/);
    expect([...f.stored.values()].map((r) => r.status)).toEqual(['failed']);
  });

  it('while CloudFormation updates the service, says what the ECS rollout is doing', async () => {
    const rolling: Omit<RolloutSnapshot, 'probe'> = { deployments: [{ id: 'd1', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: 'td:2', images: [`${REPO}@${NEW}`], desired: 2, running: 1, pending: 1, failedTasks: 0 }], desired: 2, running: 1, events: [] };
    const f = fake({ snapshots: [rolling, rolling, healthy()] });
    const infos: string[] = [];
    f.ports.progress = { ...silentProgress, info: (message) => infos.push(message) };
    f.ports.existingOutputs = async () => ({ ClusterName: 'c', ServiceName: 's' });
    f.ports.now = () => Date.now();
    f.ports.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    f.ports.pollSeconds = 0.01;
    const deploy = f.ports.deployer.deploy;
    f.ports.deployer.deploy = async (assembly, stack, hooks) => {
      if (stack.endsWith('prod')) await new Promise((resolve) => setTimeout(resolve, 100));
      return deploy(assembly, stack, hooks);
    };
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 60 });
    expect(outcome.ok).toBe(true);
    expect(infos).toContain('ECS rollout IN_PROGRESS: 1/2 new tasks running, 1 pending');
  });

  it('a blue/green deploy shows its phases from the ECS deployment\'s lifecycle stage: green up, test traffic, shifting, baking', async () => {
    const rolling: Omit<RolloutSnapshot, 'probe'> = { deployments: [{ id: 'd1', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: 'td:2', images: [`${REPO}@${NEW}`], desired: 2, running: 1, pending: 1, failedTasks: 0 }], desired: 2, running: 1, events: [] };
    const f = fake({ snapshots: [rolling, healthy()] });
    f.ports.config = { ...f.ports.config, deploy: { strategy: 'blue-green', bake: 300, canary: { percent: 10, for: 300 } }, services: [{ name: 'web', kind: 'web', route: {}, health: { path: '/health' }, loadBalancer: true }] } as unknown as DeployPorts['config'];
    const stages = ['SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'BAKE_TIME'];
    f.ports.phase = async () => ({ arn: 'arn:aws:ecs:eu-west-1:1:service-deployment/c/s/1', status: 'IN_PROGRESS', stage: stages.length > 1 ? stages.shift()! : stages[0]! });
    const infos: string[] = [];
    f.ports.progress = { ...silentProgress, info: (message) => infos.push(message) };
    f.ports.existingOutputs = async () => ({ ClusterName: 'c', ServiceName: 's' });
    f.ports.now = () => Date.now();
    f.ports.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    f.ports.pollSeconds = 0.01;
    const deploy = f.ports.deployer.deploy;
    f.ports.deployer.deploy = async (assembly, stack, hooks) => {
      if (stack.endsWith('prod')) await new Promise((resolve) => setTimeout(resolve, 200));
      return deploy(assembly, stack, hooks);
    };
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 60 });
    expect(outcome.ok).toBe(true);
    expect(infos.filter((line) => !/^release \d/.test(line))).toEqual([
      'green up: the new set of tasks starts beside the old one, which keeps all traffic',
      'test traffic: requests with x-berth-test-traffic: green reach the new set; production traffic stays on the old one',
      'shifting: all production traffic moves to the new set at once',
      'baking: the new set has all traffic; the old set stays ready for 5m (`berth rollback --env prod` returns traffic to it at once)',
    ]);
  });
});

describe('runDeploy with many services and release.before', () => {
  function manyServices(f: Fake, before?: { command: string[]; service: string }) {
    f.ports.config = {
      app: 'shop', env: 'prod',
      services: [
        { name: 'web', kind: 'web', route: {}, health: { path: '/health' } },
        { name: 'worker', kind: 'worker' },
        { name: 'fetch', kind: 'job' },
      ],
      release: before ? { before } : {},
    } as unknown as DeployPorts['config'];
  }

  it('waits for every web and worker service; one rolled back fails the release naming the service', async () => {
    const f = fake({ history: [release(1, 'deployed', OLD)] });
    manyServices(f);
    const asked: Array<string | undefined> = [];
    const rolledBack: Omit<RolloutSnapshot, 'probe'> = {
      deployments: [
        { id: 'd0', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: 'td:1', images: [`${REPO}@${OLD}`], desired: 1, running: 1, pending: 0, failedTasks: 0 },
        { id: 'd1', status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start', taskDefinition: 'td:2', images: [`${REPO}@${NEW}`], desired: 0, running: 0, pending: 0, failedTasks: 2 },
      ], desired: 1, running: 1, events: [],
    };
    f.ports.snapshot = async (_outputs, service) => { asked.push(service); return service === 'worker' ? rolledBack : healthy(); };
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 600 });
    expect(asked).toEqual(['web', 'worker']);
    expect(outcome).toMatchObject({ ok: false, release: { status: 'rolled-back', reason: 'worker: the ECS deployment was rolled back: tasks failed to start' } });
    expect(outcome.reasons[0]).toBe('worker: the ECS deployment was rolled back: tasks failed to start');
  });

  it('records the task definition every service runs once all are healthy', async () => {
    const f = fake({ snapshots: [healthy()] });
    manyServices(f);
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 600 });
    expect(outcome.release?.services).toEqual([{ name: 'web', taskDefinition: 'td:2' }, { name: 'worker', taskDefinition: 'td:2' }]);
  });

  it('first deploy with release.before: the first phase gets no deployed task definitions, so no service starts before the task', async () => {
    const f = fake({ snapshots: [healthy()] });
    manyServices(f, { command: ['migrate'], service: 'web' });
    const prepared: unknown[] = [];
    const synthesize = f.ports.synthesize;
    f.ports.synthesize = async (image, options) => { prepared.push(options?.prepare); return synthesize(image, options); };
    f.ports.deployedTaskDefinitions = async () => ({});
    let ran = 0;
    f.ports.runReleaseBefore = async () => { ran += 1; return { exitCode: 0, taskId: 'beef', logTail: [] }; };
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 600 });
    expect(outcome.ok).toBe(true);
    expect(ran).toBe(1);
    expect(prepared).toEqual([undefined, { deployedTaskDefinitions: {} }, undefined]);
    expect(f.deployed).toEqual(['berth-shop-registry', 'berth-shop-prod', 'berth-shop-prod']);
  });

  it('a before task that cannot start stops the release with ECS\'s reason', async () => {
    const f = fake({ history: [release(1, 'deployed', OLD)] });
    manyServices(f, { command: ['migrate'], service: 'web' });
    f.ports.deployedTaskDefinitions = async () => ({ 'berth-shop-prod': 'arn:td/berth-shop-prod:1' });
    f.ports.runReleaseBefore = async () => ({ stoppedReason: 'CannotPullContainerError: pull access denied', logTail: [] });
    const outcome = await runDeploy(f.ports, { kind: 'build' }, { timeoutSeconds: 600 });
    expect(outcome.reasons).toEqual(['release.before (migrate) did not run: CannotPullContainerError: pull access denied: release 2 stopped before any service changed', 'release 1 is still the current release']);
    expect(f.stored.get(2)).toMatchObject({ status: 'failed' });
    expect(f.stored.get(1)?.status).toBe('deployed');
    expect(f.deployed).toEqual(['berth-shop-registry', 'berth-shop-prod']);
  });

  it('a rollback does not run release.before', async () => {
    const f = fake({ snapshots: [healthy(OLD)], history: [release(1, 'superseded', OLD), release(2, 'deployed', NEW)] });
    manyServices(f, { command: ['migrate'], service: 'web' });
    f.ports.runReleaseBefore = async () => { throw new Error('must not run'); };
    const outcome = await runDeploy(f.ports, { kind: 'rollback', release: release(1, 'superseded', OLD) }, { timeoutSeconds: 600 });
    expect(outcome).toMatchObject({ ok: true, release: { number: 3, rollbackOf: 1 } });
  });
});
