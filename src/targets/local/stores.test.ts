import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { environmentStateDir, localSecretsFile } from '../../model/index.js';
import { ReleaseStore } from './release-store.js';
import { localSecretStore } from './secret-store.js';

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  process.env.BERTH_CONFIG_DIR = mkdtempSync(join(tmpdir(), 'lt-config-'));
});
afterEach(() => {
  process.env = saved;
});

describe('local secrets', () => {
  it('keeps values in a 0600 file outside the repository, lists names without values', async () => {
    const store = localSecretStore('shop', 'local', ['API_KEY', 'OTHER']);
    expect(await store.missing()).toEqual(['API_KEY', 'OTHER']);
    await store.set('API_KEY', 'v@lue-1');
    const path = localSecretsFile('shop', 'local');
    expect(path.startsWith(process.env.BERTH_CONFIG_DIR!)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const list = await store.list();
    expect(list.map((secret) => [secret.name, secret.declared, Boolean(secret.lastChanged)])).toEqual([['API_KEY', true, true], ['OTHER', true, false]]);
    expect(JSON.stringify(list)).not.toContain('v@lue-1');
    expect(await store.missing()).toEqual(['OTHER']);
    await store.remove('API_KEY');
    expect(await store.missing()).toEqual(['API_KEY', 'OTHER']);
    await expect(store.remove('API_KEY')).rejects.toThrow(/not set/);
    await expect(store.set('bad-name', 'x')).rejects.toThrow(/environment variable name/);
  });

  it('generates the database password once and keeps it', () => {
    const store = localSecretStore('shop', 'local', []);
    const first = store.file.generated('databasePassword');
    expect(first.length).toBeGreaterThan(16);
    expect(store.file.generated('databasePassword')).toBe(first);
    expect(readFileSync(store.file.path, 'utf8')).toContain(first);
  });
});

describe('ReleaseStore', () => {
  it('numbers releases per environment and supersedes the previous deployed one', () => {
    process.env.BERTH_STATE_DIR = mkdtempSync(join(tmpdir(), 'lt-state-'));
    const store = new ReleaseStore(environmentStateDir('local', 'shop', 'local'));
    const base = { image: 'i', digest: 'd', createdAt: '2026-01-01T00:00:00Z', createdBy: 'me' };
    expect(store.nextNumber()).toBe(1);
    store.record({ ...base, number: 1, status: 'deployed' });
    store.record({ ...base, number: 2, status: 'failed' });
    expect(store.current()?.number).toBe(1);
    store.record({ ...base, number: 3, status: 'deployed' });
    expect(store.list().map((release) => [release.number, release.status])).toEqual([[3, 'deployed'], [2, 'failed'], [1, 'superseded']]);
    expect(store.nextNumber()).toBe(4);
    expect(new ReleaseStore(environmentStateDir('local', 'shop', 'staging')).nextNumber()).toBe(1);
  });
});

describe('release numbers', () => {
  it('are given out once: a deploy killed after taking its number leaves it interrupted, and the next takes the one after', () => {
    const store = new ReleaseStore(mkdtempSync(join(tmpdir(), 'lt-numbers-')));
    store.record({ number: 1, image: 'i1', digest: 'd', createdAt: 'now', createdBy: 'me', status: 'deployed' });
    expect(store.allocate('i2', 'me')).toBe(2);
    expect(store.get(2)?.status).toBe('deploying');
    // killed here; the next command settles it
    store.settleInterrupted();
    expect(store.get(2)).toMatchObject({ status: 'interrupted', reason: 'the deploy stopped before it finished (killed or interrupted)' });
    expect(store.allocate('i3', 'me')).toBe(3);
    expect(store.current()?.number).toBe(1);
  });
});
