/**
 * Global set-up of the `engine` test project: one test run at a time per Docker engine.
 *
 * Engine tests publish fixed ports on 127.0.0.1 and check that they leave no berth containers behind, so two runs
 * on one engine (two terminals, or CI beside a developer's run) would fail each other. The lock is `flock(1)` on
 * BERTH_ENGINE_LOCK (default /tmp/berth-engine.lock), held by a child that lives until the run ends: when vitest
 * exits or is killed, the child's stdin closes, it exits, and the kernel drops the lock. A second run waits and says so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = process.env.BERTH_ENGINE_LOCK ?? join(tmpdir(), 'berth-engine.lock');

function hasFlock(): boolean {
  return spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
}

function acquire(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const holder = spawn('flock', [LOCK, '-c', 'echo locked; exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`flock ${LOCK} exited with code ${code} before taking the lock`)));
    holder.stdout!.once('data', () => {
      holder.removeAllListeners('exit');
      resolve(holder);
    });
  });
}

export default async function setup(): Promise<() => void> {
  if (!hasFlock()) {
    console.warn(`engine tests: flock(1) is missing, so this run does not wait for another one on the same Docker engine`);
    return () => {};
  }
  if (spawnSync('flock', ['-n', LOCK, 'true'], { stdio: 'ignore' }).status !== 0) {
    console.warn(`engine tests: another test run holds ${LOCK}; waiting for it to finish before using the Docker engine`);
  }
  const holder = await acquire();
  return () => {
    holder.stdin!.end();
  };
}
