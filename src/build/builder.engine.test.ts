/**
 * Both builders on the real engine: the classic builder (a docker CLI from 23.0 without buildx, as here) fails on
 * BuildKit-only syntax and the doctor's table says so; BuildKit (buildx, or a CLI before 23.0 such as Debian's
 * /usr/bin/docker 20.10) builds it. Build failures are diagnosed by cause. Runs only where the engine answers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DiagnoseConfig } from '../doctor/diagnose.js';
import { diagnoseBuildFailure } from '../doctor/build-failure.js';
import { buildImage, type BuildImageRequest } from './build-image.js';
import { chooseBuilder, type BuilderSupport } from './builder.js';
import { removeImageTag } from './inspect-image.js';
import { hostPlatform } from './platform.js';

function engineUp(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', 'berth-test/busybox:latest'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A docker CLI that drives BuildKit, and the PATH that puts it first; undefined when there is none. */
function buildkitCli(): { path: string; builder: BuilderSupport } | undefined {
  for (const dir of [undefined, '/usr/bin', '/usr/local/bin']) {
    const env = dir ? { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` } : process.env;
    try {
      const version = execFileSync('docker', ['version', '--format', '{{.Client.Version}}'], { env, encoding: 'utf8' }).trim();
      let buildx = false;
      try {
        execFileSync('docker', ['buildx', 'version'], { env, stdio: 'ignore' });
        buildx = true;
      } catch {
        buildx = false;
      }
      const builder = chooseBuilder({ clientVersion: version, buildx, serverOs: 'linux' });
      if (builder.buildkit) return { path: env.PATH ?? '', builder };
    } catch {
      // no such CLI
    }
  }
  return undefined;
}

const config = { app: 'lt-build', env: 'local', services: [], network: { tasks: 'public', egress: 'none', cidr: '10.0.0.0/16' }, local: { port: 18199 } } as unknown as DiagnoseConfig;
const CLASSIC: BuilderSupport = { buildkit: false, reason: 'test' };
const dirs: string[] = [];
const tags: string[] = [];

function app(dockerfile: string, files: Record<string, string> = {}): BuildImageRequest {
  const dir = mkdtempSync(join(tmpdir(), 'lt-builder-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const tag = `lt-builder-test:${dirs.length}`;
  tags.push(tag);
  return { build: { context: dir, dockerfile: join(dir, 'Dockerfile'), args: {} }, platform: hostPlatform(), tags: [tag] };
}

async function failure(request: BuildImageRequest): Promise<unknown> {
  return buildImage(request).then(() => undefined, (error: unknown) => error);
}

describe.runIf(engineUp())('docker build with and without BuildKit', { timeout: 120_000 }, () => {
  afterAll(async () => {
    for (const tag of tags) await removeImageTag(tag).catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const withMount = 'FROM berth-test/busybox:latest\nRUN --mount=type=tmpfs,target=/scratch echo built > /scratch/x && echo ok > /ok\n';

  it('the classic builder refuses RUN --mount, and the diagnosis says BuildKit, not the Dockerfile', async () => {
    const error = await failure({ ...app(withMount), builder: CLASSIC });
    expect(error).toMatchObject({ builder: { buildkit: false, dockerfileFeatures: ['RUN --mount (line 2)'] } });
    const diagnosis = diagnoseBuildFailure(error, config, 'local');
    expect(diagnosis?.id).toBe('buildkit-required');
    expect(diagnosis?.cause).toMatch(/^The Dockerfile uses (RUN --mount \(line 2\)|--mount), which only BuildKit builds/);
  });

  it('the classic builder reads a heredoc as instructions; the diagnosis names the heredoc', async () => {
    const error = await failure({ ...app('FROM berth-test/busybox:latest\nRUN <<EOF\nmkdir -p /x\ntouch /x/y\nEOF\n'), builder: CLASSIC });
    const diagnosis = diagnoseBuildFailure(error, config, 'local');
    expect(diagnosis?.id).toBe('buildkit-required');
    expect(diagnosis?.cause).toMatch(/^The Dockerfile uses a heredoc \(RUN <<EOF\) \(line 2\), which only BuildKit builds/);
  });

  const cli = buildkitCli();
  it.runIf(cli)('BuildKit builds RUN --mount', async () => {
    const saved = process.env.PATH;
    process.env.PATH = cli!.path;
    try {
      const built = await buildImage({ ...app(withMount), builder: cli!.builder });
      expect(built.id).toMatch(/^sha256:/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('names a file missing from the build context and a syntax error, on either builder', async () => {
    for (const builder of [CLASSIC, ...(cli ? [cli.builder] : [])]) {
      const saved = process.env.PATH;
      if (builder.buildkit) process.env.PATH = cli!.path;
      try {
        const missing = diagnoseBuildFailure(await failure({ ...app('FROM berth-test/busybox:latest\nCOPY requirements.txt /app/\n'), builder }), config, 'local');
        expect(missing?.id, builder.reason).toBe('build-missing-file');
        expect(missing?.cause).toMatch(/^The Dockerfile copies \/?requirements\.txt, which is not in the build context/);
        const syntax = diagnoseBuildFailure(await failure({ ...app('FROM berth-test/busybox:latest\nRUNN echo hi\n'), builder }), config, 'local');
        expect(syntax?.id, builder.reason).toBe('build-syntax');
        // The line itself is not quoted (src/build/build-output.ts: the file may not be a Dockerfile); its number is.
        expect(syntax?.cause).toMatch(/^The Dockerfile does not parse at line 2: unknown instruction/i);
        expect(syntax?.cause).not.toContain('RUNN echo');
        const step = diagnoseBuildFailure(await failure({ ...app('FROM berth-test/busybox:latest\nRUN exit 3\n'), builder }), config, 'local');
        expect(step?.id, builder.reason).toBe('build-step-failed');
        expect(step?.cause).toContain('exit code 3');
      } finally {
        process.env.PATH = saved;
      }
    }
  });
});
