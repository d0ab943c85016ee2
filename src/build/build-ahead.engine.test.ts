import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAhead, buildsSame, cancelBuildsAhead } from './build-ahead.js';
import { inspectImage } from './inspect-image.js';
import { hostPlatform } from './platform.js';

function context(dockerfile: string): { context: string; dockerfile: string; args: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'lt-ahead-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return { context: dir, dockerfile: join(dir, 'Dockerfile'), args: {} };
}

function sleepingBuildSteps(): string[] {
  return execFileSync('docker', ['ps', '--format', '{{.Command}}'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('sleep 60'));
}

describe('buildsSame', () => {
  const spec = { context: '/app', dockerfile: '/app/Dockerfile', args: { A: '1' } };
  it('adopts a build only for the same Dockerfile, context, args and platform', () => {
    const ahead = { spec, platform: 'linux/amd64', adopt: () => Promise.reject(new Error('unused')), cancel: () => undefined };
    expect(buildsSame(ahead, { ...spec, args: { A: '1' } }, 'linux/amd64')).toBe(true);
    expect(buildsSame(ahead, { ...spec, args: { A: '2' } }, 'linux/amd64')).toBe(false);
    expect(buildsSame(ahead, { ...spec, target: 'runtime' }, 'linux/amd64')).toBe(false);
    expect(buildsSame(ahead, spec, 'linux/arm64')).toBe(false);
  });
});

describe('buildAhead on the engine', () => {
  it('builds untagged before anyone adopts it; the adopter gets the lines printed so far and the image id', async () => {
    const ahead = buildAhead(context('FROM berth-test/busybox:latest\nRUN echo ahead > /ahead\n'), hostPlatform());
    // Let the build run (or finish) before it is adopted, as when the deploy still waits for its lock.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const lines: string[] = [];
    const built = await ahead.adopt((line) => lines.push(line));
    expect(built.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.tags).toEqual([]);
    expect(lines.some((line) => /Step 2\/2|#\d+ \[2\/2\]/.test(line)), lines.join('\n')).toBe(true);
    expect((await inspectImage(built.id))?.id).toBe(built.id);
  }, 120_000);

  it('cancel stops a running build at once: adopting it fails with "was stopped"', async () => {
    const ahead = buildAhead(context('FROM berth-test/busybox:latest\nRUN sleep 60\n'), hostPlatform());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = Date.now();
    cancelBuildsAhead(new Map([['', ahead]]));
    await expect(ahead.adopt(() => undefined)).rejects.toThrow(/the build of .*Dockerfile was stopped/);
    expect(Date.now() - started).toBeLessThan(20_000);
    // The engine stops the build's step container too, not just the CLI.
    let running = sleepingBuildSteps();
    for (let i = 0; i < 40 && running.length; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      running = sleepingBuildSteps();
    }
    expect(running).toEqual([]);
  }, 120_000);

  it('a failing build nobody adopted is no unhandled rejection; the adopter gets the error', async () => {
    const ahead = buildAhead(context('FROM berth-test/busybox:latest\nRUN exit 3\n'), hostPlatform());
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await expect(ahead.adopt(() => undefined)).rejects.toThrow(/docker build failed/);
  }, 120_000);
});
