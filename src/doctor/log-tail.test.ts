import { describe, expect, it } from 'vitest';
import { maskedLogTail } from './log-tail.js';

/** One frame of the engine's multiplexed log stream (stdout), as the engine writes a line or a 16 KiB piece of one. */
function frame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** A line as the engine stores it: pieces of at most 16 KiB, the last one ending in a newline. */
function engineEntries(line: string): Buffer[] {
  const pieces: Buffer[] = [];
  for (let start = 0; start < line.length; start += 16_384) pieces.push(frame(line.slice(start, start + 16_384) + (start + 16_384 >= line.length ? '\n' : '')));
  return pieces;
}

describe('maskedLogTail (the doctor\'s log lines)', () => {
  const big = Array.from({ length: 64 * 1024 }, (_, index) => String.fromCharCode(97 + ((index * 11 + (index >> 7)) % 26))).join('');
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw\nggSjAgEAAoIBAQC7q3V0Zm9vYmFy\n-----END PRIVATE KEY-----';
  const leaked = (lines: string[]) => lines.some((line) => [...Array(64).keys()].some((k) => line.includes(big.slice(k * 1024, k * 1024 + 24)))) || lines.some((line) => pem.split('\n').some((part) => line.includes(part)));

  it('joins a 64 KB line the engine split into 16 KiB entries, so the whole value is masked', () => {
    const buffer = Buffer.concat([frame('starting\n'), ...engineEntries(`API_TOKEN=${big}`), ...pem.split('\n').map((line) => frame(`${line}\n`)), frame('done\n')]);
    const lines = maskedLogTail(buffer, 20, [big, pem]);
    expect(lines).toEqual(['starting', 'API_TOKEN=***', '***', '***', '***', '***', 'done']);
    expect(leaked(maskedLogTail(buffer, 20, []))).toBe(true);
  });

  it('drops the first line of a full tail, which may be the last pieces of a split line', () => {
    // The engine's tail counts entries: asked for 3 (2 lines + 1), it returns the last two 16 KiB pieces and one line.
    const entries = engineEntries(`API_TOKEN=${big}`);
    const buffer = Buffer.concat([...entries.slice(-2), frame('done\n')]);
    expect(maskedLogTail(buffer, 2, [big])).toEqual(['done']);
    expect(leaked(maskedLogTail(Buffer.concat([...entries.slice(-2), frame('done\n')]), 5, [big]))).toBe(true);
  });
});
