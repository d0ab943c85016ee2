import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArgv, buildImage } from './build-image.js';
import { imageInfoFrom, inspectImage, removeImageTag } from './inspect-image.js';
import { archOfImage, hostPlatform, platformFor } from './platform.js';

describe('buildArgv', () => {
  it('passes Dockerfile, platform, build args, target and tags to docker build', () => {
    const argv = buildArgv({
      build: { context: '/app', dockerfile: '/app/Dockerfile.prod', args: { NEXT_PUBLIC_API: 'https://x' }, target: 'runtime' },
      platform: 'linux/arm64',
      tags: ['berth-web:release-2'],
    });
    expect(argv).toEqual(['build', '--force-rm', '--file', '/app/Dockerfile.prod', '--platform', 'linux/arm64', '--build-arg', 'NEXT_PUBLIC_API=https://x', '--target', 'runtime', '--tag', 'berth-web:release-2', '/app']);
  });

  it('an untagged build (started ahead) names the file the image id is written to, the context last', () => {
    const argv = buildArgv({ build: { context: '/app', dockerfile: '/app/Dockerfile', args: {} }, platform: 'linux/amd64', tags: [], iidFile: '/tmp/b/iid' });
    expect(argv).toEqual(['build', '--force-rm', '--file', '/app/Dockerfile', '--platform', 'linux/amd64', '--iidfile', '/tmp/b/iid', '/app']);
  });
});

describe('platforms', () => {
  it('maps berth architectures and Node architectures to Docker platforms', () => {
    expect(platformFor('arm64')).toBe('linux/arm64');
    expect(platformFor('x86_64')).toBe('linux/amd64');
    expect(hostPlatform('x64')).toBe('linux/amd64');
    expect(hostPlatform('arm64')).toBe('linux/arm64');
    expect(archOfImage('amd64')).toBe('x86_64');
    expect(archOfImage('s390x')).toBeUndefined();
  });
});

describe('imageInfoFrom', () => {
  it('reads user, TCP exposed ports and the registry digest', () => {
    const info = imageInfoFrom({
      Id: 'sha256:abc', Architecture: 'arm64', Os: 'linux', Created: '2026-01-01T00:00:00Z',
      RepoTags: ['x:1'], RepoDigests: ['repo/x@sha256:def'],
      Config: { User: 'app', ExposedPorts: { '8000/tcp': {}, '53/udp': {}, '80/tcp': {} }, Labels: null },
    });
    expect(info).toMatchObject({ user: 'app', exposedPorts: [80, 8000], digest: 'sha256:def', architecture: 'arm64' });
  });
});

describe('buildImage on the engine', () => {
  it('builds, tags and inspects a tiny image; a failing build names the failing step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-build-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM berth-test/busybox:latest\nARG GREETING\nRUN echo "$GREETING" > /greeting\nUSER 1000\nEXPOSE 8080\n');
    const built = await buildImage({ build: { context: dir, dockerfile: join(dir, 'Dockerfile'), args: { GREETING: 'hi' } }, platform: hostPlatform(), tags: ['lt-build-test:1'] });
    expect(built.id).toMatch(/^sha256:/);
    const info = await inspectImage('lt-build-test:1');
    expect(info).toMatchObject({ id: built.id, user: '1000', exposedPorts: [8080] });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM berth-test/busybox:latest\nRUN exit 3\n');
    await expect(buildImage({ build: { context: dir, dockerfile: join(dir, 'Dockerfile'), args: {} }, platform: hostPlatform(), tags: ['lt-build-test:2'] })).rejects.toThrow(/docker build failed/);
    await removeImageTag('lt-build-test:1');
    expect(await inspectImage('lt-build-test:1')).toBeUndefined();
  }, 120_000);
});
