/**
 * The build and push path on the real Docker engine and a real registry (Debian's docker-registry on
 * 127.0.0.1, with basic auth standing in for ECR's token): architecture checked before push, tags and
 * digest as the registry stores them, layers skipped on the second push.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../config/model.js';
import { buildForTask, checkLocalImage } from './image-build.js';
import { ecrAuth, pushImage, releaseTags } from './image-push.js';

const PORT = 15041;
const REGISTRY = `127.0.0.1:${PORT}`;
const PASSWORD = 'aws-test-registry-password';
const APP = 'aws-push-test';
const LOCAL = `aws-berth-${APP}:prod-release-1`;
const REPOSITORY = `${REGISTRY}/berth/${APP}`;
const docker = new Docker();
let dir: string;
let registry: ChildProcess;

function config(arch: 'x86_64' | 'arm64'): Pick<ResolvedConfig, 'app' | 'env' | 'services' | 'image'> {
  const build = { context: dir, dockerfile: join(dir, 'Dockerfile'), args: { GREETING: 'hello' } };
  return { app: APP, env: 'prod', image: { build }, services: [{ name: 'web', kind: 'web', arch, build, ownImage: false }] as unknown as ResolvedConfig['services'] };
}

async function registryGet(path: string, accept?: string): Promise<Response> {
  return fetch(`http://${REGISTRY}${path}`, { headers: { authorization: `Basic ${Buffer.from(`AWS:${PASSWORD}`).toString('base64')}`, ...(accept ? { accept } : {}) } });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aws-push-'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM berth-test/busybox:latest\nARG GREETING\nRUN echo "$GREETING" > /greeting\nCMD ["cat", "/greeting"]\n');
  const hash = execFileSync('python3', ['-c', `import crypt; print(crypt.crypt(${JSON.stringify(PASSWORD)}, crypt.mksalt(crypt.METHOD_BLOWFISH)))`], { encoding: 'utf8' }).trim();
  writeFileSync(join(dir, 'htpasswd'), `AWS:${hash}\n`);
  writeFileSync(join(dir, 'registry.yml'), [
    'version: 0.1',
    'storage:', `  filesystem:`, `    rootdirectory: ${join(dir, 'storage')}`,
    'http:', `  addr: ${REGISTRY}`,
    'auth:', '  htpasswd:', '    realm: aws-test', `    path: ${join(dir, 'htpasswd')}`,
  ].join('\n'));
  registry = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i += 1) {
    const answer = await fetch(`http://${REGISTRY}/v2/`).catch(() => undefined);
    if (answer) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 60_000);

afterAll(async () => {
  registry?.kill();
  for (const image of await docker.listImages({ filters: { reference: [`aws-berth-${APP}*`, `${REPOSITORY}*`] } })) {
    await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('build for the task architecture', () => {
  it('builds for linux/amd64 and accepts the image for x86_64 tasks', async () => {
    const built = await buildForTask(config('x86_64'), LOCAL);
    expect(built.architecture).toBe('amd64');
  }, 120_000);

  it('refuses an image whose architecture does not match the task, before anything is pushed', async () => {
    // The engine has only an amd64 base image: the classic builder ignores --platform linux/arm64 and
    // produces amd64, the exact image that would die on arm64 Fargate with "exec format error".
    const error = await buildForTask(config('arm64'), `aws-berth-${APP}:arm-attempt`).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/built for amd64, but the tasks run on arm64 \(linux\/arm64\).*exec format error/);
    expect((error as { hint?: string }).hint).toMatch(/--platform linux\/arm64.*service\.arch: x86_64/);
    await expect(checkLocalImage(LOCAL, 'arm64')).rejects.toThrow(/exec format error/);
    const catalog = await (await registryGet('/v2/_catalog')).json() as { repositories: string[] };
    expect(catalog.repositories ?? []).toEqual([]);
  }, 120_000);
});

describe('push with ECR credentials from the SDK', () => {
  const ecr = mockClient(ECRClient);

  it('pushes every tag, returns the digest the registry stores, and skips layers the second time', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'), proxyEndpoint: `http://${REGISTRY}` }] });
    const auth = await ecrAuth(new ECRClient({ region: 'eu-west-1' }));
    const tags = releaseTags({ env: 'prod', release: 1, gitSha: 'abc1234', extra: 'v1.0.0' });
    const first = await pushImage(docker, { localImage: LOCAL, repositoryUri: REPOSITORY, tags, auth });
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.image).toBe(`${REPOSITORY}@${first.digest}`);
    expect(first.layersPushed).toBeGreaterThan(0);

    const listed = await (await registryGet(`/v2/berth/${APP}/tags/list`)).json() as { tags: string[] };
    expect(listed.tags.sort()).toEqual(['prod-release-1', 'sha-abc1234', 'v1.0.0']);
    for (const tag of tags) {
      const manifest = await registryGet(`/v2/berth/${APP}/manifests/${tag}`, 'application/vnd.docker.distribution.manifest.v2+json');
      expect(manifest.headers.get('docker-content-digest')).toBe(first.digest);
    }

    const second = await pushImage(docker, { localImage: LOCAL, repositoryUri: REPOSITORY, tags: ['prod-release-2'], auth });
    expect(second.digest).toBe(first.digest);
    expect(second.layersPushed).toBe(0);
    expect(second.layersSkipped).toBeGreaterThan(0);
  }, 120_000);

  it('fails with the registry\'s reason and a hint when the credentials are wrong', async () => {
    await expect(pushImage(docker, { localImage: LOCAL, repositoryUri: REPOSITORY, tags: ['prod-release-3'], auth: { username: 'AWS', password: 'wrong', serveraddress: `http://${REGISTRY}` } }))
      .rejects.toThrow(/pushing .*release-3 failed: .*(unauthorized|authentication required|no basic auth)/i);
  }, 60_000);
});
