/** `berth secrets set` from stdin on the local target: the value is stored byte for byte. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBerth } from './cli.js';

describe('berth secrets set (local)', () => {
  it('keeps a piped value exactly, its final newline included, says so, and stores it 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-secrets-'));
    writeFileSync(join(dir, 'berth.yml'), 'app: lt-secrets\nservice:\n  port: 8000\n  image: "nginx:1"\n  secrets: [TLS_KEY, TOKEN]\n');
    const env = { BERTH_STATE_DIR: join(dir, '.state'), BERTH_CONFIG_DIR: join(dir, '.config') };
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    const set = await runBerth(['secrets', 'set', 'TLS_KEY', '--config', join(dir, 'berth.yml')], { env, input: pem, cwd: dir });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('ends with a newline, kept as given');
    const token = await runBerth(['secrets', 'set', 'TOKEN', '--config', join(dir, 'berth.yml')], { env, input: 'abc\r\n  ', cwd: dir });
    expect(token.code).toBe(0);
    const file = join(dir, '.config', 'secrets', 'lt-secrets', 'local.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { secrets: Record<string, { value: string }> };
    expect(stored.secrets.TLS_KEY!.value).toBe(pem);
    expect(stored.secrets.TOKEN!.value).toBe('abc\r\n  ');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
