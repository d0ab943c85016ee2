#!/usr/bin/env node
// Benchmarks that report ratios, not absolute times: shared machines are noisy, ratios travel better.
// Each file in scripts/bench/ exports `name` and `run(ctx)` returning rows { label, seconds, baseline, ratio }.
// Usage: npm run bench [-- name ...]
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { timeCommand, median } from './bench/timing.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(join(here, 'bench'))).filter((f) => f.endsWith('.mjs') && f !== 'timing.mjs').sort();

const baselineRuns = [];
for (let i = 0; i < 5; i++) baselineRuns.push(await timeCommand(process.execPath, ['-e', '0']));
const nodeStart = median(baselineRuns);
console.log(`baseline: node -e 0 = ${nodeStart.toFixed(3)}s (median of 5)\n`);

for (const file of files) {
  const mod = await import(pathToFileURL(join(here, 'bench', file)).href);
  if (only.length && !only.includes(mod.name)) continue;
  console.log(`## ${mod.name}`);
  const rows = await mod.run({ nodeStart, repo: join(here, '..') });
  for (const row of rows) {
    console.log(`${row.label.padEnd(64)} ${row.seconds.toFixed(3)}s  ${(row.seconds / row.baseline).toFixed(1)}x ${row.baselineLabel ?? 'node -e 0'}`);
  }
  console.log();
}
