/* global fetch, AbortSignal */
// Redeploy on the local engine (build + rolling replace with health checks and drain) as a ratio to the
// least anyone could do by hand: docker build + container start + first healthy probe of the same image.
// Three redeploys: the busybox-sized app (test/fixtures/local/lt-busybox) with 2 replicas, the figure issue 11
// asks to keep <= 1.5x; the same app with 1 replica, like for like with the baseline's one container; and the
// Python app the engine tests use (test/fixtures/local/lt-web) with 2 replicas. Each figure is the median of
// RUNS runs, since the machine is shared. Everything it creates is removed at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const name = 'local-redeploy';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** The ratio issue 11 asks for: a healthy local redeploy of the busybox app within 1.5x the bare minimum. */
const TARGET_RATIO = 1.5;

const APPS = [
  { fixture: 'lt-busybox', app: 'lt-bench-bb', port: 18191, count: 2, version: 'version.txt', label: 'busybox app', target: true },
  // Like for like with the baseline, which starts one container: the same app with one replica.
  { fixture: 'lt-busybox', app: 'lt-bench-bb1', port: 18192, count: 1, version: 'version.txt', label: 'busybox app' },
  { fixture: 'lt-web', app: 'lt-bench', port: 18190, count: 2, version: 'version.txt', label: 'python app' },
];

function seconds(since) {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
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

async function benchApp(repo, spec) {
  const dir = mkdtempSync(join(tmpdir(), 'lt-bench-'));
  cpSync(join(repo, 'test/fixtures/local', spec.fixture), dir, { recursive: true });
  // The default health timing (30 s interval, 2 passes, 60 s grace period), as a user's berth.yml has it.
  writeFileSync(join(dir, 'berth.yml'), `app: ${spec.app}
service:
  port: 8000
  count: ${spec.count}
  health: { path: /health }
local: { port: ${spec.port} }
`);
  const env = { ...process.env, BERTH_STATE_DIR: join(dir, '.state'), BERTH_CONFIG_DIR: join(dir, '.config'), CI: '1' };
  const berth = (...args) => spawnSync(process.execPath, [join(repo, 'bin/berth.js'), '--config', join(dir, 'berth.yml'), ...args], { env, encoding: 'utf8' });
  const baselines = [];
  const redeploys = [];
  let awsNote = '';
  try {
    for (let run = 0; run < RUNS; run += 1) {
      // Baseline: what a redeploy cannot avoid — build the changed image, start it, first healthy answer.
      writeFileSync(join(dir, spec.version), `baseline ${run}\n`);
      const started = process.hrtime.bigint();
      execFileSync('docker', ['build', '-q', '-t', `${spec.app}-baseline:${run}`, dir], { stdio: 'ignore' });
      const id = execFileSync('docker', ['run', '-d', '-p', '127.0.0.1::8000', `${spec.app}-baseline:${run}`], { encoding: 'utf8' }).trim();
      const port = execFileSync('docker', ['port', id, '8000/tcp'], { encoding: 'utf8' }).trim().split('\n')[0].split(':').pop();
      await waitHealthy(`http://127.0.0.1:${port}/health`);
      baselines.push(seconds(started));
      execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
      spawnSync('docker', ['image', 'rm', `${spec.app}-baseline:${run}`], { stdio: 'ignore' });
    }
    writeFileSync(join(dir, spec.version), 'v0\n');
    const first = berth('deploy');
    if (first.status !== 0) throw new Error(`first deploy of ${spec.label} failed: ${first.stderr}`);
    for (let run = 1; run <= RUNS; run += 1) {
      writeFileSync(join(dir, spec.version), `v${run}\n`);
      const started = process.hrtime.bigint();
      const again = berth('deploy');
      redeploys.push(seconds(started));
      if (again.status !== 0) throw new Error(`redeploy of ${spec.label} failed: ${again.stderr}`);
      awsNote = /on AWS the same checks take[^)\n]*\)/.exec(again.stderr)?.[0] ?? awsNote;
    }
  } finally {
    berth('destroy', '--purge', '--yes');
    rmSync(dir, { recursive: true, force: true });
  }
  const baseline = median(baselines);
  const redeploy = median(redeploys);
  const name = `${spec.label}, ${spec.count} replica${spec.count === 1 ? '' : 's'}`;
  const rows = [
    { label: `${name}: docker build + run + first healthy probe`, seconds: baseline, baseline, baselineLabel: 'itself' },
    { label: `${name}: berth deploy (redeploy, drain)`, seconds: redeploy, baseline, baselineLabel: `build + run + first healthy probe${spec.target ? ` (target <= ${TARGET_RATIO}x)` : ''}` },
  ];
  const list = (values) => values.map((value) => value.toFixed(2)).join(' ');
  console.log(`  ${name}: baseline runs ${list(baselines)} s; redeploys ${list(redeploys)} s`);
  if (awsNote) console.log(`  ${name}: berth deploy says "${awsNote}"`);
  return rows;
}

export async function run({ repo }) {
  const rows = [];
  for (const spec of APPS) rows.push(...(await benchApp(repo, spec)));
  return rows;
}
