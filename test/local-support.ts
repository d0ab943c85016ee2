/** Helpers for tests on the real Docker engine: a temporary copy of a fixture app, the CLI, bounded load. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Compiles berth once (the CLI, the detached balancer and berth ui's page script run from dist/). */
export function buildBerth(): void {
  // One build for all test files: the lock makes parallel workers wait for the first one's build instead of compiling
  // side by side, and --if-stale skips it when dist/ is newer than src/ (npm test builds before vitest starts).
  execFileSync('flock', [join(tmpdir(), `berth-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`), process.execPath, join(ROOT, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
}

export interface FixtureApp {
  dir: string;
  env: NodeJS.ProcessEnv;
  setVersion(version: string): void;
  setHealthStatus(status: number): void;
}

/** A fresh copy of test/fixtures/local/lt-web with its own berth.yml, state and config folders. */
export function fixtureApp(berthYml: string): FixtureApp {
  const dir = mkdtempSync(join(tmpdir(), 'lt-app-'));
  cpSync(join(ROOT, 'test/fixtures/local/lt-web'), dir, { recursive: true });
  writeFileSync(join(dir, 'berth.yml'), berthYml);
  const env = { ...process.env, BERTH_STATE_DIR: join(dir, '.state'), BERTH_CONFIG_DIR: join(dir, '.config'), CI: '1', NO_COLOR: '1' };
  return {
    dir,
    env,
    setVersion: (version) => writeFileSync(join(dir, 'version.txt'), `${version}\n`),
    setHealthStatus: (status) => writeFileSync(join(dir, 'health.txt'), `${status}\n`),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function berth(app: FixtureApp, args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), '--config', join(app.dir, 'berth.yml'), ...args], { env: app.env, cwd: app.dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** What to do once a command's progress (stderr) shows `marker`: e.g. start a request, or send the process a signal. */
export interface MarkerStep {
  marker: string;
  action: (child: ChildProcess) => void | Promise<void>;
}

/**
 * Runs `berth <args>` and runs each step's action once its marker appears in stderr (in order; each action runs
 * once). Resolves when the process ends, with `signal` set when a signal ended it (SIGKILL).
 */
export function berthAtMarkers(app: FixtureApp, args: string[], steps: MarkerStep[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), '--config', join(app.dir, 'berth.yml'), ...args], { env: app.env, cwd: app.dir });
    let stdout = '';
    let stderr = '';
    let next = 0;
    let acting = false;
    const act = async () => {
      if (acting) return;
      acting = true;
      while (next < steps.length && stderr.includes(steps[next]!.marker)) {
        const step = steps[next]!;
        next += 1;
        await step.action(child);
      }
      acting = false;
      // Output that arrived during an action may already show the next marker.
      if (next < steps.length && stderr.includes(steps[next]!.marker)) void act();
    };
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      void act();
    });
    child.stdin.end('');
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A MarkerStep action that sends the berth process `signal`. */
export const sendSignal = (signal: NodeJS.Signals) => (child: ChildProcess): void => { child.kill(signal); };

/** Runs `berth deploy` and sends it `signal` once its progress shows `marker`; a SIGKILL reads as exit code 137. */
export async function deployUntil(app: FixtureApp, marker: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  const result = await berthAtMarkers(app, ['deploy'], [{ marker, action: sendSignal(signal) }]);
  return { code: result.code ?? (result.signal === 'SIGKILL' ? 137 : null), stderr: result.stderr };
}

export interface LoadResult {
  total: number;
  failures: string[];
  bodies: string[];
}

/**
 * A bounded stream of GET requests to 127.0.0.1 (two at a time, at most `max` requests) until stop() is called.
 * Every non-200 answer or connection error counts as a failure.
 */
export function startLoad(url: string, max = 4000): { stop: () => Promise<LoadResult> } {
  const result: LoadResult = { total: 0, failures: [], bodies: [] };
  let running = true;
  const worker = async () => {
    while (running && result.total < max) {
      result.total += 1;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        const body = (await response.text()).trim();
        if (response.status !== 200) result.failures.push(`HTTP ${response.status}: ${body}`);
        else result.bodies.push(body);
      } catch (error) {
        result.failures.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const workers = [worker(), worker()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}

export async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.text()).trim() };
}
