import { spawn } from 'node:child_process';

/** Wall time of one run of a command, in seconds; rejects when it exits non-zero. */
export function timeCommand(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: 'ignore', ...options });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve(seconds);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}`));
    });
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function medianOf(runs, fn) {
  const values = [];
  for (let i = 0; i < runs; i++) values.push(await fn());
  return median(values);
}
