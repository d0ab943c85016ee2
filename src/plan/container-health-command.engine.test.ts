/**
 * The web container health check on the real engine, as local replicas get it (engineHealthCheck): the exec-form
 * probe passes in an image with python and no curl or wget, a path full of shell syntax is never run by a shell,
 * and health.container: false leaves the container without a health check. Containers named berth-test-health-*.
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import type { HealthCheck } from '../config/model.js';
import { engineHealthCheck } from './local/local-plan.js';

const IMAGE = 'python:3.12-slim';
const docker = new Docker();
const created: string[] = [];

const health = (path: string, container = true): HealthCheck => ({
  path, container, interval: 1, timeout: 3, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 0,
});

async function startServer(check: HealthCheck): Promise<Docker.Container> {
  const name = `berth-test-health-${randomBytes(3).toString('hex')}`;
  created.push(name);
  const container = await docker.createContainer({
    name,
    Image: IMAGE,
    Cmd: ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1', '--directory', '/tmp'],
    Healthcheck: engineHealthCheck(8000, check),
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  return container;
}

/** The engine's health status once it is no longer "starting" (at most 40 polls half a second apart). */
async function settledHealth(container: Docker.Container): Promise<string | undefined> {
  for (let poll = 0; poll < 40; poll++) {
    const status = (await container.inspect()).State.Health?.Status;
    if (status !== 'starting') return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return 'starting';
}

afterAll(async () => {
  await Promise.all(created.map((name) => docker.getContainer(name).remove({ force: true }).catch(() => undefined)));
});

describe('the container health check on the engine', () => {
  it('passes with python as the only HTTP client, and a path with shell syntax runs nothing', async () => {
    const container = await startServer(health('/?x=$(touch${IFS}/tmp/INJECTED)&y=`touch${IFS}/tmp/INJECTED2`'));
    expect(await settledHealth(container)).toBe('healthy');
    const probe = await container.exec({ Cmd: ['ls', '/tmp'], AttachStdout: true, AttachStderr: true });
    const stream = await probe.start({});
    const output = await new Promise<string>((resolve) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
      stream.on('end', () => resolve(text));
    });
    expect(output).not.toContain('INJECTED');
  });

  it('fails when the path does not answer 2xx', async () => {
    const container = await startServer(health('/missing'));
    expect(await settledHealth(container)).toBe('unhealthy');
  });

  it('is absent with health.container false (the engine reports no health at all)', async () => {
    const container = await startServer(health('/', false));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await container.inspect()).State.Health).toBeUndefined();
  });
});
