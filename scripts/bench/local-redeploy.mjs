/* global fetch, AbortSignal */
// Redeploy on the local engine (build + rolling replace with health checks and drain) as a ratio to the
// least anyone could do by hand: docker build + container start + first healthy probe of the same image.
// Uses the lt-web test fixture on 127.0.0.1:18190; everything it creates is removed at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const name = 'local-redeploy';

const PORT = 18190;

function seconds(since) {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

async function waitHealthy(url, deadlineMs = 60_000) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} never answered 200`);
}

export async function run({ repo }) {
  const dir = mkdtempSync(join(tmpdir(), 'lt-bench-'));
  cpSync(join(repo, 'test/fixtures/local/lt-web'), dir, { recursive: true });
  writeFileSync(join(dir, 'berth.yml'), `app: lt-bench
service:
  port: 8000
  count: 2
  health: { path: /health, interval: 5, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }
local: { port: ${PORT} }
`);
  const env = { ...process.env, BERTH_STATE_DIR: join(dir, '.state'), BERTH_CONFIG_DIR: join(dir, '.config'), CI: '1' };
  const berth = (...args) => spawnSync(process.execPath, [join(repo, 'bin/berth.js'), '--config', join(dir, 'berth.yml'), ...args], { env, encoding: 'utf8' });
  const rows = [];
  try {
    // Baseline: what a redeploy cannot avoid — build the changed image, start it, first healthy answer.
    writeFileSync(join(dir, 'version.txt'), 'baseline\n');
    let started = process.hrtime.bigint();
    execFileSync('docker', ['build', '-q', '-t', 'lt-bench-baseline:1', dir], { stdio: 'ignore' });
    const id = execFileSync('docker', ['run', '-d', '-p', '127.0.0.1::8000', 'lt-bench-baseline:1'], { encoding: 'utf8' }).trim();
    const port = execFileSync('docker', ['port', id, '8000/tcp'], { encoding: 'utf8' }).trim().split(':').pop();
    await waitHealthy(`http://127.0.0.1:${port}/health`);
    const baseline = seconds(started);
    execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });

    writeFileSync(join(dir, 'version.txt'), 'v1\n');
    const first = berth('deploy');
    if (first.status !== 0) throw new Error(`first deploy failed: ${first.stderr}`);
    writeFileSync(join(dir, 'version.txt'), 'v2\n');
    started = process.hrtime.bigint();
    const second = berth('deploy');
    const redeploy = seconds(started);
    if (second.status !== 0) throw new Error(`redeploy failed: ${second.stderr}`);
    rows.push({ label: 'docker build + run + first healthy probe', seconds: baseline, baseline: baseline, baselineLabel: 'itself' });
    // The balancer, like an ALB, needs healthyThreshold passes one interval apart: (2 - 1) x 5s here.
    rows.push({ label: 'floor: baseline + (healthyThreshold-1) x interval', seconds: baseline + 5, baseline, baselineLabel: 'build + run + first healthy probe' });
    rows.push({ label: 'berth deploy (redeploy, 2 replicas, drain)', seconds: redeploy, baseline, baselineLabel: 'build + run + first healthy probe' });
  } finally {
    berth('destroy', '--purge', '--yes');
    spawnSync('docker', ['image', 'rm', 'lt-bench-baseline:1'], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
