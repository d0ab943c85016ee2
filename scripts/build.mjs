#!/usr/bin/env node
// Builds dist/ (the CLI and the dashboard page) and stamps it. `--if-stale` skips the build when the stamp is newer
// than every source file, so the test files that need the CLI share one build instead of compiling it side by side.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');

function newestSource(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestSource(join(path, name))), stat.mtimeMs);
}

function stale() {
  if (!existsSync(stamp)) return true;
  const sources = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((name) => join(root, name));
  return Math.max(...sources.map(newestSource)) > statSync(stamp).mtimeMs;
}

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
for (const project of ['tsconfig.build.json', 'src/dashboard/page/tsconfig.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
