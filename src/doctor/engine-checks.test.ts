/** The container probe against the real Docker engine, with the busybox stand-in (no build needed). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { silentProgress } from '../cli/progress.js';
import type { ResolvedConfig } from '../config/model.js';
import { connectDocker, probeContainer, socketsByExec } from './engine-checks.js';

const IMAGE = 'berth-test/busybox:latest';

function engineHasBusybox(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function config(command: string[], port = 8000, gracePeriod = 20): ResolvedConfig {
  return {
    app: 'dr-probe',
    env: 'local',
    target: 'local',
    dir: '/tmp',
    file: '/tmp/berth.yml',
    local: { port: 19460 },
    network: { tasks: 'public', egress: 'none', cidr: '10.0.0.0/16' },
    database: null,
    cache: null,
    service: {
      port,
      arch: 'x86_64',
      cpu: 256,
      memory: 512,
      env: { GREETING: 'hello' },
      secrets: ['API_KEY'],
      command,
      health: { path: '/health', interval: 30, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod },
    },
  } as unknown as ResolvedConfig;
}

const facts = { architecture: 'amd64', os: 'linux', user: '', exposedPorts: [] };
const options = { progress: silentProgress, hostPortRange: [19461, 19499] as [number, number] };

describe.runIf(engineHasBusybox())('probeContainer on the Docker engine', { timeout: 90_000 }, () => {
  it('waits for a slow start instead of mistaking Docker\'s DNS socket for the app', async () => {
    const results = await probeContainer(await connectDocker(), config(['sh', '-c', 'sleep 5; mkdir -p /www; echo ok > /www/health; exec httpd -f -p 8000 -h /www']), IMAGE, facts, options);
    expect(results.map((r) => [r.id, r.status])).toEqual([['container-runs', 'pass'], ['container-port', 'pass'], ['health-path', 'pass']]);
    expect(results[0]!.message).toContain('placeholder values for API_KEY');
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
    small.service.memory = 64;
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
});
