/**
 * Acceptance: `berth doctor` (the built CLI) on the real Docker engine diagnoses fixture apps that are each
 * broken in one way. Needs `npm run build` first, and the stand-in python:3.12-slim image.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'bin', 'berth.js');
const fixtures = join(root, 'test', 'fixtures', 'doctor');

interface Check {
  id: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
  fix: string | null;
  details?: string[];
}

function doctor(fixture: string, extraArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<{ code: number; checks: Check[]; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'doctor', '--json', ...extraArgs],
      { cwd: join(fixtures, fixture), env: { ...process.env, BERTH_DOCTOR_PORTS: '19400-19499', NO_COLOR: '1', ...extraEnv }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, checks: (JSON.parse(stdout) as { checks: Check[] }).checks, stderr });
      },
    );
  });
}

function check(checks: Check[], id: string): Check {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
}

function engineReady(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', 'python:3.12-slim'], { stdio: 'ignore' });
    return existsSync(join(root, 'dist', 'cli', 'commands', 'doctor.js'));
  } catch {
    return false;
  }
}

const docker = (...args: string[]) => execFileSync('docker', args, { stdio: 'ignore' });
const FIXTURE_APPS = readdirSync(fixtures);
const FIXTURE_IMAGES = ['dr-healthy', 'dr-wrong-port', 'dr-no-health', 'dr-missing-env', 'dr-root', 'dr-needs-postgres', 'dr-db-localhost'].map((app) => `${app}:doctor`);

function hasDependencyImages(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', 'postgres:16'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.runIf(engineReady())('berth doctor on the Docker engine', { timeout: 150_000 }, () => {
  beforeAll(() => {
    // What a user on an Apple Silicon Mac does: build for arm64 and name the image in berth.yml.
    docker('build', '-q', '--no-cache', '--platform', 'linux/arm64', '-t', 'dr-other-arch:built-on-a-mac', join(fixtures, 'dr-other-arch'));
  });

  afterAll(() => {
    for (const image of [...FIXTURE_IMAGES, 'dr-other-arch:built-on-a-mac']) {
      try {
        docker('rmi', '-f', image);
      } catch {
        // already gone
      }
    }
  });

  it('passes a healthy app and exits 0, with progress on stderr', async () => {
    const { code, checks, stderr } = await doctor('dr-healthy');
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(code).toBe(0);
    expect(check(checks, 'health-path').message).toMatch(/GET \/health answered 200/);
    expect(stderr).toMatch(/Building Dockerfile for linux\/amd64/);
  });

  it('finds the port the app really listens on', async () => {
    const { code, checks } = await doctor('dr-wrong-port');
    expect(code).toBe(1);
    const port = check(checks, 'container-port');
    expect(port.status).toBe('fail');
    expect(port.message).toContain('listens on port 5000, not on service.port 8000');
    expect(port.fix).toContain('service.port: 5000');
  });

  it('reports the 404 on the health path and the path that answers', async () => {
    const { code, checks } = await doctor('dr-no-health');
    expect(code).toBe(1);
    const health = check(checks, 'health-path');
    expect(health.status).toBe('fail');
    expect(health.message).toContain('GET /health answered 404');
    expect(health.fix).toContain('service.health.path: /');
  });

  it('names the missing environment variable from the crash', async () => {
    const { code, checks } = await doctor('dr-missing-env');
    expect(code).toBe(1);
    const runs = check(checks, 'container-runs');
    expect(runs.status).toBe('fail');
    expect(runs.message).toContain('environment variable PAYMENTS_API_URL is not set');
    expect(runs.details).toContain("KeyError: 'PAYMENTS_API_URL'");
    expect(runs.fix).toContain('berth secrets set PAYMENTS_API_URL');
  });

  it('catches an image built for the other architecture', async () => {
    const { code, checks } = await doctor('dr-other-arch');
    expect(code).toBe(1);
    const arch = check(checks, 'image-arch');
    expect(arch.status).toBe('fail');
    expect(arch.message).toContain('built for linux/arm64, but service.arch is x86_64');
    expect(check(checks, 'container-runs').details?.join('\n')).toMatch(/exec format error/);
  });

  it('warns when the image runs as root, without failing', async () => {
    const { code, checks } = await doctor('dr-root');
    expect(check(checks, 'image-user').status).toBe('warn');
    expect(check(checks, 'image-user').message).toContain('runs as root');
    expect(code).toBe(0);
  });

  it.runIf(hasDependencyImages())('probes an app that waits for PostgreSQL against a throw-away PostgreSQL, never the environment\'s volume', async () => {
    const { code, checks } = await doctor('dr-needs-postgres');
    expect(check(checks, 'container-port').status).toBe('pass');
    expect(check(checks, 'health-path').message).toMatch(/GET \/health answered 200/);
    const runs = check(checks, 'container-runs');
    expect(runs.status).toBe('pass');
    expect(runs.message).toContain("against throw-away local PostgreSQL (postgres:16), not the environment's own");
    expect(runs.message).not.toContain('placeholder');
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
    const volumes = execFileSync('docker', ['volume', 'ls', '-q', '--filter', 'name=berth-dr-needs-postgres'], { encoding: 'utf8' });
    expect(volumes.trim()).toBe('');
  });

  it.runIf(hasDependencyImages())('tells an app that ignores DATABASE_URL that it cannot reach its database, rather than blaming the port', async () => {
    const { code, checks } = await doctor('dr-db-localhost');
    expect(code).toBe(1);
    const port = check(checks, 'container-port');
    expect(port.status).toBe('fail');
    expect(port.message).toContain('The app cannot reach its database or cache: connecting to 127.0.0.1 port 5432 fails');
    expect(port.message).not.toContain('nothing listened');
    expect(port.fix).toContain('DATABASE_URL');
  });

  it.runIf(hasDependencyImages())('removes the throw-away PostgreSQL when interrupted with Ctrl-C during the probe', async () => {
    const child = spawn(process.execPath, [cli, 'doctor'], { cwd: join(fixtures, 'dr-db-localhost'), env: { ...process.env, BERTH_DOCTOR_PORTS: '19400-19499', NO_COLOR: '1' } });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the probe did not start: ${stderr}`)), 60_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('Starting the container and waiting')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const running = execFileSync('docker', ['ps', '-q', '--filter', 'label=org.berth.app=dr-db-localhost', '--filter', 'label=org.berth.role=doctor'], { encoding: 'utf8' });
    expect(running.trim()).not.toBe('');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const left = execFileSync('docker', ['ps', '-aq', '--filter', 'label=org.berth.app=dr-db-localhost'], { encoding: 'utf8' });
    expect(left.trim()).toBe('');
  });

  it('explains the last failed local deploy from what the local target recorded', async () => {
    const state = mkdtempSync(join(tmpdir(), 'dr-state-'));
    try {
      mkdirSync(join(state, 'local', 'dr-healthy', 'local'), { recursive: true });
      const evidence = {
        target: 'local', serviceEvents: [], targetHealth: [], stackEvents: [],
        stoppedTasks: [{ id: 'dr-healthy-local-1', containers: [{ name: 'app', exitCode: 137, reason: 'OOMKilled' }] }],
        logTail: ['Killed'],
      };
      writeFileSync(join(state, 'local', 'dr-healthy', 'local', 'last-failure.json'), JSON.stringify(evidence));
      const { code, checks } = await doctor('dr-healthy', ['--no-docker'], { BERTH_STATE_DIR: state });
      expect(code).toBe(1);
      expect(check(checks, 'last-deploy.out-of-memory').fix).toContain('service.memory');
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });

  it('leaves no containers or networks behind', () => {
    // Of this file's apps only: what a killed run of another test left is not this file's doing.
    const ofFixtures = (kind: 'ps' | 'network') => {
      const args = kind === 'ps' ? ['ps', '-a'] : ['network', 'ls'];
      const lines = execFileSync('docker', [...args, '--filter', 'label=org.berth.role=doctor', '--format', '{{.Names}}\t{{.Label "org.berth.app"}}'], { encoding: 'utf8' });
      return lines.split('\n').filter((line) => FIXTURE_APPS.includes(line.split('\t')[1] ?? ''));
    };
    expect(ofFixtures('ps')).toEqual([]);
    expect(ofFixtures('network')).toEqual([]);
  });
});
