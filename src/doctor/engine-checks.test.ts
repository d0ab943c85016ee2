/** The container probe against the real Docker engine, with the busybox stand-in (no build needed). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentProgress } from '../terminal/progress.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/model.js';
import { connectDocker, probeContainer, socketsByExec } from './engine-checks.js';
import { doctorRunOwner } from './abandoned-probes.js';
import type { CheckResult } from './check-result.js';
import { primaryWebService } from '../model/index.js';

const web = (config: Parameters<typeof primaryWebService>[0]) => primaryWebService(config)!;

const IMAGE = 'berth-test/busybox:latest';

function engineHasBusybox(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function config(command: string[], port = 8000, gracePeriod = 20, extra = ''): ResolvedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'dr-probe-'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(
    join(dir, 'berth.yml'),
    `app: dr-probe
service:
  port: ${port}
  memory: 512
  env: { GREETING: hello }
  secrets: [API_KEY]
  command: ${JSON.stringify(command)}
  health: { path: /health, interval: 30, timeout: 2, gracePeriod: ${gracePeriod} }
local: { port: 19460 }
${extra}`,
  );
  return loadConfig({ config: join(dir, 'berth.yml') });
}

const facts = { architecture: 'amd64', os: 'linux', user: '', exposedPorts: [] };
const options = { progress: silentProgress, hostPortRange: [19461, 19499] as [number, number] };

describe.runIf(engineHasBusybox())('probeContainer on the Docker engine', { timeout: 90_000 }, () => {
  it('waits for a slow start instead of mistaking Docker\'s DNS socket for the app', async () => {
    const results = await probeContainer(await connectDocker(), config(['sh', '-c', 'sleep 5; mkdir -p /www; echo ok > /www/health; exec httpd -f -p 8000 -h /www']), IMAGE, facts, options);
    expect(results.map((r) => [r.id, r.status])).toEqual([['container-runs', 'pass'], ['container-port', 'pass'], ['health-path', 'pass']]);
    expect(results[0]!.message).toContain('declared secret without a value here got a placeholder: API_KEY');
  });

  it('starts throw-away PostgreSQL and Redis first, reachable at the host names a deploy uses, and removes them after', async () => {
    const withDependencies = config(['sh', '-c', 'until nc -w 1 "$PGHOST" "$PGPORT" </dev/null && nc -w 1 berth-dr-probe-local-cache 6379 </dev/null; do sleep 0.5; done; mkdir -p /www; echo ok > /www/health; exec httpd -f -p 8000 -h /www'], 8000, 20, 'database: postgres\ncache: redis\n');
    const docker = await connectDocker();
    const results = await probeContainer(docker, withDependencies, IMAGE, facts, options);
    expect(results.map((r) => [r.id, r.status])).toEqual([['container-runs', 'pass'], ['container-port', 'pass'], ['health-path', 'pass']]);
    expect(results[0]!.message).toContain("against throw-away local PostgreSQL (postgres:16) and Redis (redis:7), not the environment's own");
    expect(results[0]!.message).not.toMatch(/placeholder[^:]*: .*(DATABASE_URL|PGHOST|REDIS_URL)/);
    const left = await docker.listContainers({ all: true, filters: { label: ['org.berth.app=dr-probe', 'org.berth.role=doctor'] } });
    expect(left).toEqual([]);
    const networks = await docker.listNetworks({ filters: { label: ['org.berth.app=dr-probe'] } });
    expect(networks).toEqual([]);
    const volumes = await docker.listVolumes({ filters: { name: ['berth-dr-probe-local'] } });
    expect(volumes.Volumes ?? []).toEqual([]);
  });

  it('removes what a killed doctor run of the app left, and keeps what a running one owns', async () => {
    const docker = await connectDocker();
    const labels = (run: string) => ({ 'org.berth.app': 'dr-probe', 'org.berth.env': 'local', 'org.berth.role': 'doctor', 'org.berth.doctor.run': run });
    const suffix = Date.now().toString(36);
    // A killed run's network and throw-away container (pid 1 with another start time: never this run), and one of a
    // doctor still running in another terminal (this process).
    const network = await docker.createNetwork({ Name: `dr-probe-doctor-killed-${suffix}-net`, Labels: labels('1:0') });
    const killed = await docker.createContainer({ name: `dr-probe-doctor-killed-${suffix}-database`, Image: IMAGE, Cmd: ['sleep', '600'], Labels: labels('1:0'), HostConfig: { NetworkMode: `dr-probe-doctor-killed-${suffix}-net` } });
    await killed.start();
    const running = await docker.createContainer({ name: `dr-probe-doctor-running-${suffix}-web`, Image: IMAGE, Cmd: ['sleep', '600'], Labels: labels(doctorRunOwner()) });
    try {
      const progress: string[] = [];
      const recording = { ...silentProgress, step: (text: string) => ({ ...silentProgress.step(text), succeed: (done?: string) => void progress.push(`${text}: ${done}`) }) };
      const results = await probeContainer(docker, config(['sh', '-c', 'mkdir -p /www; echo ok > /www/health; exec httpd -f -p 8000 -h /www']), IMAGE, facts, { ...options, progress: recording });
      expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
      await expect(killed.inspect()).rejects.toThrow(/no such container/i);
      await expect(network.inspect()).rejects.toThrow(/not found/i);
      expect((await running.inspect()).Name).toBe(`/dr-probe-doctor-running-${suffix}-web`);
      expect(progress).toContainEqual(expect.stringMatching(/^Removing what an interrupted doctor run left: removed [2-9]\d* containers and networks of a doctor run that no longer runs$/));
    } finally {
      await running.remove({ force: true });
      await killed.remove({ force: true }).catch(() => undefined);
      await network.remove().catch(() => undefined);
    }
  });

  it('does not probe the app when its database image is missing, and says which image to pull', async () => {
    const missing = config(['httpd', '-f', '-p', '8000'], 8000, 20, 'database: { engine: postgres, localImage: "dr-missing/postgres:0" }\n');
    const docker = await connectDocker();
    const results = await probeContainer(docker, missing, IMAGE, facts, options);
    expect(results).toEqual([expect.objectContaining({ id: 'container-runs', status: 'fail', message: 'not run: the database image dr-missing/postgres:0 is not on this engine' })]);
    expect(results[0]!.fix).toContain('docker pull dr-missing/postgres:0');
    const networks = await docker.listNetworks({ filters: { label: ['org.berth.app=dr-probe'] } });
    expect(networks).toEqual([]);
  });

  it('never shows a secret value the app prints before crashing', async () => {
    const secretValues = async () => ({ API_KEY: 'sk-dr-very-secret-value-123456' });
    const results = await probeContainer(await connectDocker(), config(['sh', '-c', 'echo "starting with $API_KEY"; echo "KeyError: \'SESSION_SECRET\'"; exit 1']), IMAGE, facts, { ...options, secretValues });
    const runs = results.find((r) => r.id === 'container-runs')!;
    expect(runs.status).toBe('fail');
    expect(runs.message).toContain('SESSION_SECRET is not set');
    expect(JSON.stringify(results)).not.toContain('sk-dr-very-secret-value-123456');
    expect(runs.details).toContain('starting with ***');
  });

  it('reports a container killed for memory as out of memory, with the configured limit', async () => {
    const small = config(['tail', '/dev/zero']);
    web(small).memory = 64;
    const results = await probeContainer(await connectDocker(), small, IMAGE, facts, options);
    const runs = results.find((r) => r.id === 'container-runs')!;
    expect(runs.status).toBe('fail');
    expect(runs.message).toContain('exited with code 137');
    expect(runs.message).toContain('used more than its 64 MiB');
    expect(runs.fix).toContain('service.memory');
  });

  it('reads the listening ports from inside the container when /proc of the host is not usable', async () => {
    const docker = await connectDocker();
    const network = await docker.createNetwork({ Name: `dr-probe-exec-${Date.now()}` });
    const container = await docker.createContainer({ Image: IMAGE, Cmd: ['httpd', '-f', '-p', '5000'], HostConfig: { NetworkMode: (await network.inspect()).Name } });
    try {
      await container.start();
      let sockets = await socketsByExec(container);
      for (let i = 0; i < 20 && !sockets?.some((s) => s.port === 5000); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        sockets = await socketsByExec(container);
      }
      expect(sockets).toContainEqual({ address: '::', port: 5000 });
    } finally {
      await container.remove({ force: true });
      await network.remove();
    }
  });

  describe('an app of a web service and a worker', () => {
    function many(worker: string, before = "[sh, -c, 'echo migrated']"): ResolvedConfig {
      const dir = mkdtempSync(join(tmpdir(), 'dr-probe-many-'));
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
      writeFileSync(
        join(dir, 'berth.yml'),
        `app: dr-probe-many
services:
  web:
    port: 8000
    command: [sh, -c, 'mkdir -p /www; echo ok > /www/health; exec httpd -f -p 8000 -h /www']
    health: { path: /health, interval: 30, timeout: 2, gracePeriod: 20 }
  worker:
    kind: worker
    command: ${worker}
    health: { command: [test, -f, /tmp/beat], interval: 5, timeout: 2, gracePeriod: 10 }
release:
  before: ${before}
local: { port: 19462 }
`,
      );
      return loadConfig({ config: join(dir, 'berth.yml') });
    }
    const ids = (results: CheckResult[]) => results.map((r) => [r.id, r.status]);

    it('runs release.before, then probes the web service and watches the worker, which reaches the web service by its name', async () => {
      const docker = await connectDocker();
      const results = await probeContainer(docker, many("[sh, -c, 'until wget -q -O- http://web:8000/health; do sleep 0.5; done; touch /tmp/beat; exec sleep 600']"), IMAGE, facts, options);
      expect(ids(results)).toEqual([['release-before', 'pass'], ['container-runs.web', 'pass'], ['container-port.web', 'pass'], ['health-path.web', 'pass'], ['container-runs.worker', 'pass']]);
      expect(results[4]!.message).toMatch(/^worker: the worker started with the environment berth gives it and kept running for \d+s, passing its health command$/);
      const left = await docker.listContainers({ all: true, filters: { label: ['org.berth.app=dr-probe-many'] } });
      expect(left).toEqual([]);
    });

    it('names the worker that crashes at start, with its cause, while the web service passes', async () => {
      const results = await probeContainer(await connectDocker(), many("[sh, -c, 'echo Traceback >&2; echo \"ModuleNotFoundError: No module named rq\" >&2; exit 1']"), IMAGE, facts, options);
      expect(ids(results)).toEqual([['release-before', 'pass'], ['container-runs.web', 'pass'], ['container-port.web', 'pass'], ['health-path.web', 'pass'], ['container-runs.worker', 'fail']]);
      expect(results[4]!.message).toMatch(/^worker: the container exited with code 1 after \d+s: /);
      expect(results[4]!.details).toContain('ModuleNotFoundError: No module named rq');
    });

    it('stops at a failing release.before, as a deploy does, with its last lines', async () => {
      const results = await probeContainer(await connectDocker(), many("[sleep, '600']", "[sh, -c, 'echo relation articles does not exist; exit 3']"), IMAGE, facts, options);
      expect(results).toEqual([expect.objectContaining({ id: 'release-before', status: 'fail', message: 'release.before ["sh","-c","echo relation articles does not exist; exit 3"] exited with code 3: a deploy would stop before any service changes' })]);
      expect(results[0]!.details).toEqual(['relation articles does not exist']);
    });
  });
});
