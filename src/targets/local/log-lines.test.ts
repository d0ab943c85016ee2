import { describe, expect, it } from 'vitest';
import { LogLineAssembler, logLines } from './log-lines.js';
import { redactSecrets } from './redact.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

const TS = '2026-11-30T12:00:00.000000000Z ';

describe('log lines', () => {
  it('joins a line the engine split at 16 KiB, dropping the timestamps of its continuations', () => {
    const secret = 's'.repeat(40_000);
    const line = `token=${secret} end`;
    const buffer = Buffer.concat([frame(1, `${TS}${line.slice(0, 16_384)}`), frame(1, `${TS}${line.slice(16_384, 32_768)}`), frame(1, `${TS}${line.slice(32_768)}\n`), frame(1, `${TS}next\n`)]);
    const lines = logLines(buffer, { timestamps: true });
    expect(lines.map((entry) => entry.text)).toEqual([`${TS}${line}`, `${TS}next`]);
    expect(redactSecrets(lines.map((entry) => entry.text), [secret])).toEqual([`${TS}token=*** end`, `${TS}next`]);
  });

  it('keeps stdout and stderr apart and holds an unfinished line until the rest arrives', () => {
    const assembler = new LogLineAssembler();
    expect(assembler.push('stdout', 'half of a ')).toEqual([]);
    expect(assembler.push('stderr', 'error line\n')).toEqual([{ stream: 'stderr', text: 'error line' }]);
    expect(assembler.push('stdout', 'line\nnext')).toEqual([{ stream: 'stdout', text: 'half of a line' }]);
    expect(assembler.flush()).toEqual([{ stream: 'stdout', text: 'next' }]);
  });

  it('reads plain text (a TTY container) as lines', () => {
    expect(logLines(Buffer.from('one\r\ntwo\n')).map((entry) => entry.text)).toEqual(['one', 'two']);
  });
});

describe('redactSecrets', () => {
  it('masks each line of a multi-line value (a PEM key printed line by line) and the whole value', () => {
    const pem = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END KEY-----\n';
    const printed = pem.trim().split('\n').map((line) => `app: ${line}`);
    const masked = redactSecrets(printed, { KEY: pem });
    expect(masked.join('\n')).not.toMatch(/MIIEvQ|BKcwgg/);
    expect(masked).toEqual(['app: ***', 'app: ***', 'app: ***', 'app: ***']);
  });

  it('masks the generated database password inside DATABASE_URL and leaves short values alone', () => {
    expect(redactSecrets(['DATABASE_URL=postgresql://app:Xy7_pw-9Qz@db:5432/app', 'abc'], ['Xy7_pw-9Qz', 'abc'])).toEqual(['DATABASE_URL=postgresql://app:***@db:5432/app', 'abc']);
  });
});
