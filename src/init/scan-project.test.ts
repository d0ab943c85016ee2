import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject } from './scan-project.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scanProject', () => {
  it('lists the app files, skipping dependencies and build output, and does not read large files', () => {
    for (const folder of ['src', 'node_modules/express', '.git', '.venv/lib', '__pycache__', '.next']) mkdirSync(join(dir, folder), { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20\n');
    writeFileSync(join(dir, 'src/server.js'), "app.get('/health')\n");
    writeFileSync(join(dir, 'node_modules/express/index.js'), '');
    writeFileSync(join(dir, '.git/HEAD'), '');
    writeFileSync(join(dir, '.venv/lib/site.py'), '');
    writeFileSync(join(dir, '__pycache__/x.pyc'), '');
    writeFileSync(join(dir, '.next/build.js'), '');
    writeFileSync(join(dir, 'big.js'), 'x'.repeat(2000));
    const project = scanProject(dir, { maxFiles: 100, maxBytes: 1000, maxDepth: 4 });
    expect(project.paths).toEqual(['Dockerfile', 'big.js', 'src/server.js']);
    expect(project.read('src/server.js')).toBe("app.get('/health')\n");
    expect(project.read('big.js')).toBeUndefined();
    expect(project.read('missing.txt')).toBeUndefined();
  });

  it('stops listing at the file limit', () => {
    expect(scanProject(dir, { maxFiles: 2, maxBytes: 1000, maxDepth: 4 }).paths).toHaveLength(2);
  });
});
