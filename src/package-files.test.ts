import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BERTH_VERSION, compiledEntry, PACKAGE_ROOT, packageFile } from './package-files.js';

const repo = fileURLToPath(new URL('..', import.meta.url));

describe('package files', () => {
  it('finds the package root from the sources, and the version in its package.json', () => {
    expect(join(PACKAGE_ROOT, '/')).toBe(join(repo, '/'));
    expect(BERTH_VERSION).toBe((JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('names the shipped data and the compiled entries berth starts, which exist after a build', () => {
    expect(existsSync(packageFile('data', 'prices', 'us-east-1.json'))).toBe(true);
    expect(compiledEntry('targets/local/balancer-daemon.js')).toBe(join(repo, 'dist', 'targets', 'local', 'balancer-daemon.js'));
  });
});
