/**
 * The images of local releases on the real engine: a deploy keeps the last `registry.keepReleases` releases' images
 * and removes older ones, and the build a deploy starts as soon as berth.yml is read (src/build/build-ahead.ts) is
 * adopted by the release, or stopped when the deploy is refused. Busybox app lt-imgs on 127.0.0.1:18194.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, buildBerth, get, ROOT, type FixtureApp } from './local-support.js';

const PORT = 18194;
const URL = `http://127.0.0.1:${PORT}/`;
const YML = `app: lt-imgs
service:
  port: 8000
  count: 1
  health: { path: /health, interval: 5, timeout: 4, gracePeriod: 0 }
registry: { keepReleases: 2 }
local: { port: ${PORT} }
`;

function busyboxApp(dockerfileExtra = ''): FixtureApp {
  const dir = mkdtempSync(join(tmpdir(), 'lt-imgs-'));
  cpSync(join(ROOT, 'test/fixtures/local/lt-busybox'), dir, { recursive: true });
  writeFileSync(join(dir, 'berth.yml'), YML);
  if (dockerfileExtra) writeFileSync(join(dir, 'Dockerfile'), `FROM berth-test/busybox:latest\n${dockerfileExtra}\nCOPY www /www\nCMD ["httpd", "-f", "-p", "8000", "-h", "/www"]\n`);
  const state = mkdtempSync(join(tmpdir(), 'lt-imgs-state-'));
  const env = { ...process.env, BERTH_STATE_DIR: join(state, 'state'), BERTH_CONFIG_DIR: join(state, 'config'), CI: '1', NO_COLOR: '1' };
  return { dir, env, setVersion: (version) => writeFileSync(join(dir, 'version.txt'), `${version}\n`), setHealthStatus: () => undefined };
}

function releaseTags(): string[] {
  return execFileSync('docker', ['image', 'ls', '--format', '{{.Tag}}', 'berth-lt-imgs'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

function imageId(reference: string): string {
  return execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', reference], { encoding: 'utf8' }).trim();
}

function buildsRunningIn(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('docker build') && line.includes(dir));
}

let app: FixtureApp;

beforeAll(() => {
  buildBerth();
  app = busyboxApp();
});

afterAll(async () => {
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
  spawnSync('docker', ['image', 'rm', 'lt-imgs-extra:v4'], { stdio: 'ignore' });
});

describe('local release images', () => {
  it('each redeploy serves its own build and keeps only the last keepReleases releases\' images', async () => {
    for (const version of ['v1', 'v2', 'v3', 'v4']) {
      app.setVersion(version);
      // --tag puts one more tag on the release's image (the build started ahead is tagged through the Engine API).
      const deploy = await berth(app, ['deploy', ...(version === 'v4' ? ['--tag', 'lt-imgs-extra:v4'] : [])]);
      expect(deploy.code, deploy.stderr).toBe(0);
      expect(deploy.stderr).toMatch(/Build Dockerfile for linux\/\w+ — berth-lt-imgs:local-release-\d+ \(/);
      expect((await get(URL)).body.trim()).toBe(version);
    }
    expect(releaseTags()).toEqual(['local-release-3', 'local-release-4']);
    expect(imageId('lt-imgs-extra:v4')).toBe(imageId('berth-lt-imgs:local-release-4'));
  }, 180_000);

  it('a refused deploy stops the build it started and does not wait for it', async () => {
    // Another folder with the same app name is refused (exit 2) once berth asks the engine, while its slow build runs.
    const other = busyboxApp('RUN sleep 60');
    const started = Date.now();
    const refused = await berth(other, ['deploy']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('belongs to');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(buildsRunningIn(other.dir)).toEqual([]);
    expect(releaseTags()).toEqual(['local-release-3', 'local-release-4']);
    expect((await get(URL)).body.trim()).toBe('v4');
  }, 120_000);
});
