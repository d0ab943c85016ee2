/** What `berth doctor` prints never holds a secret value: the one masking rule over every result (pure but for files). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configFromYaml } from '../test-support/config-from-yaml.js';
import { silentProgress } from '../terminal/progress.js';
import { emptyEvidence } from './failure-evidence.js';
import { maskCheck } from './check-result.js';
import { runDoctor } from './run-doctor.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nq3V0Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0\n-----END PRIVATE KEY-----';
const BIG = Array.from({ length: 64 * 1024 }, (_, index) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(index * 7 + (index >> 5)) % 36]).join('');

/** Any piece of the 64 KB value longer than a word would be a leak. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (let start = 0; start + 32 <= BIG.length; start += 997) if (text.includes(BIG.slice(start, start + 32))) found.push(`64 KB value at ${start}`);
  for (const line of PEM.split('\n').slice(1, 3)) if (text.includes(line)) found.push(`PEM line ${line.slice(0, 12)}`);
  return found;
}

const dirs: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('runDoctor masks every secret value in what it reports', () => {
  it('in the last failure\'s log lines: each line of a multi-line value, and a 64 KB value', async () => {
    const state = mkdtempSync(join(tmpdir(), 'dr-mask-'));
    dirs.push(state);
    vi.stubEnv('BERTH_STATE_DIR', state);
    const config = configFromYaml('app: dr-mask\nservice: { port: 8000, image: "nginx:1", secrets: [TLS_KEY, BIG_TOKEN] }\nlocal: { port: 18199 }\n', 'local');
    // A record as an older berth wrote it, unmasked: the app printed its key line by line and the long token whole.
    const logTail = [...PEM.split('\n').map((line) => `key: ${line}`), `token=${BIG}`, "KeyError: 'API_URL'"];
    mkdirSync(join(state, 'local', 'dr-mask', 'local'), { recursive: true });
    writeFileSync(join(state, 'local', 'dr-mask', 'local', 'last-failure.json'), JSON.stringify({ ...emptyEvidence('local'), logTail }));

    const unmasked = await runDoctor(config, { progress: silentProgress, skipEngine: true });
    expect(leaks(JSON.stringify(unmasked)).length).toBeGreaterThan(0);

    const results = await runDoctor(config, { progress: silentProgress, skipEngine: true, maskValues: [PEM, BIG] });
    const shown = results.find((result) => result.id === 'last-deploy.missing-env-var');
    expect(shown?.details).toEqual(expect.arrayContaining(['key: ***', 'token=***', "KeyError: 'API_URL'"]));
    expect(leaks(JSON.stringify(results))).toEqual([]);
  });
});

describe('maskCheck', () => {
  it('masks the message, the fix and every detail line', () => {
    const masked = maskCheck({ id: 'x', status: 'fail', message: `saw ${BIG}`, fix: `unset ${PEM.split('\n')[1]}`, details: [`a ${BIG} b`] }, [PEM, BIG]);
    expect(masked).toEqual({ id: 'x', status: 'fail', message: 'saw ***', fix: 'unset ***', details: ['a *** b'] });
  });
});
