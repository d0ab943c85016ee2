#!/usr/bin/env node
// Builds dist/ (the CLI and the dashboard page) and stamps it. tsc writes dist/ module by module; then esbuild bundles
// the CLI (dist/cli/main.js and what it imports, the light libraries included) into dist/bundle/, which bin/berth.js
// loads: about 40 files instead of 220 at start-up (`berth --version` 0.44 -> 0.33 s here). The heavy libraries (CDK, the
// AWS SDK, dockerode) stay outside, loaded from node_modules when a command needs them; the balancer and the workers
// run from tsc's dist/ (src/package-files.ts). `--if-stale` skips the build when the stamp is newer
// than every source file, so the test files that need the CLI share one build instead of compiling it side by side.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  const sources = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', 'scripts/build.mjs'].map((name) => join(root, name));
  return Math.max(...sources.map(newestSource)) > statSync(stamp).mtimeMs;
}

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
for (const project of ['tsconfig.build.json', 'src/dashboard/page/tsconfig.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
}
const { build } = await import('esbuild');
rmSync(join(root, 'dist', 'bundle'), { recursive: true, force: true });
await build({
  entryPoints: { cli: join(root, 'dist', 'cli', 'main.js') },
  outdir: join(root, 'dist', 'bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS libraries (yaml) call require() for Node's modules: give the ES module bundle a real one.
  banner: { js: "import { createRequire as berthCreateRequire } from 'node:module'; const require = berthCreateRequire(import.meta.url);" },
  external: ['aws-cdk-lib', 'aws-cdk-lib/*', '@aws-cdk/*', '@aws-sdk/*', '@smithy/*', 'constructs', 'cdk-nag', 'dockerode', 'http-proxy-3', '@resvg/*', '@viz-js/*'],
  // Chained to tsc's maps: with --debug (bin/berth.js), stack traces name src/*.ts lines, not bundle chunks.
  sourcemap: 'linked',
  logLevel: 'warning',
});
writeFileSync(stamp, `${new Date().toISOString()}\n`);
