/**
 * The doctor's reading of container output (log tails, exec output): whole lines (lines the engine split at 16 KiB
 * joined again), without colour codes, and every secret value masked with berth's one rule
 * (src/targets/local/redact.ts: each line of a multi-line value too). Pure.
 */
import { logLines, tailLines } from '../targets/local/log-lines.js';
import { redactSecrets } from '../targets/local/redact.js';

/** Removes ANSI colour codes and carriage returns from an output line. */
export function cleanLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '').trimEnd();
}

function cleanLines(entries: ReadonlyArray<{ text: string }>): string[] {
  return entries.map((entry) => cleanLine(entry.text)).filter((line) => line.length > 0);
}

/** Splits the engine's multiplexed stream (non-TTY containers, exec output) into lines. */
export function demuxLogs(buffer: Buffer): string[] {
  return cleanLines(logLines(buffer));
}

/** A container's last `requested` log lines from a buffer read with `tail: tailRequest(requested)`, secrets masked. */
export function maskedLogTail(buffer: Buffer, requested: number, secrets: readonly string[]): string[] {
  return redactSecrets(cleanLines(tailLines(buffer, requested)), secrets);
}
