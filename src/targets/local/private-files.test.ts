import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePrivateFile } from './private-files.js';
import { ReleaseStore } from './release-store.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('private state files', () => {
  it('writes files 0600 in 0700 folders, and narrows a file and folder an older berth left 0644/0755', () => {
    const root = mkdtempSync(join(tmpdir(), 'lt-private-'));
    const dir = join(root, 'local', 'app', 'env');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'releases.json'), '{"releases":[]}\n', { mode: 0o644 });
    new ReleaseStore(dir).record({ number: 1, image: 'i', digest: 'd', createdAt: 'now', createdBy: 'me', status: 'deployed' });
    expect(mode(join(dir, 'releases.json'))).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    writePrivateFile(join(root, 'new', 'last-failure.json'), '{}\n');
    expect(mode(join(root, 'new'))).toBe(0o700);
    expect(mode(join(root, 'new', 'last-failure.json'))).toBe(0o600);
    expect(readFileSync(join(root, 'new', 'last-failure.json'), 'utf8')).toBe('{}\n');
  });
});
