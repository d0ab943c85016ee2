/**
 * Whole log lines from the engine's multiplexed log stream. The engine splits a line longer than 16 KiB into
 * several entries (each its own frame, without a newline, and with its own timestamp when timestamps are asked
 * for); masking works on whole lines, so a secret value that crosses such a split is still found. Pure.
 */

export type LogStream = 'stdout' | 'stderr';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\S+Z /;

export class LogLineAssembler {
  private readonly partial: Record<LogStream, string | undefined> = { stdout: undefined, stderr: undefined };

  /** `timestamps`: every entry starts with the engine's timestamp; continuations of a split line drop theirs. */
  constructor(private readonly options: { timestamps?: boolean } = {}) {}

  /** One frame's text; returns the lines it completes. */
  push(stream: LogStream, text: string): Array<{ stream: LogStream; text: string }> {
    const pending = this.partial[stream];
    const piece = pending !== undefined && this.options.timestamps ? text.replace(TIMESTAMP, '') : text;
    const joined = (pending ?? '') + piece;
    const parts = joined.split(/\r?\n/);
    this.partial[stream] = parts.pop() || undefined;
    return parts.filter((line) => line !== '').map((line) => ({ stream, text: line }));
  }

  /** The unfinished lines at the end of the stream. */
  flush(): Array<{ stream: LogStream; text: string }> {
    const out: Array<{ stream: LogStream; text: string }> = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream];
      if (rest) out.push({ stream, text: rest });
      this.partial[stream] = undefined;
    }
    return out;
  }
}

/** The frames of a non-TTY log buffer (8-byte headers), or the buffer as one stdout frame when it has none. */
export function logFrames(buffer: Buffer): Array<{ stream: LogStream; text: string }> {
  const framed = buffer.length >= 8 && (buffer[0] === 1 || buffer[0] === 2) && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
  if (!framed) return [{ stream: 'stdout', text: buffer.toString('utf8') }];
  const frames: Array<{ stream: LogStream; text: string }> = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    frames.push({ stream: buffer[offset] === 2 ? 'stderr' : 'stdout', text: buffer.subarray(offset + 8, offset + 8 + size).toString('utf8') });
    offset += 8 + size;
  }
  return frames;
}

/** Every whole line of a log buffer, split lines joined again. */
export function logLines(buffer: Buffer, options: { timestamps?: boolean } = {}): Array<{ stream: LogStream; text: string }> {
  const assembler = new LogLineAssembler(options);
  return [...logFrames(buffer).flatMap((frame) => assembler.push(frame.stream, frame.text)), ...assembler.flush()];
}

/**
 * The lines of a log tail asked for with `tail: requested + 1` (tailRequest): the engine counts its entries, not
 * lines, so a full tail may begin inside a line it split at 16 KiB — that piece cannot be masked (only a part of a
 * secret value is in it) and is dropped; a tail that is not full holds the whole log.
 */
export function tailLines(buffer: Buffer, requested: number, options: { timestamps?: boolean } = {}): Array<{ stream: LogStream; text: string }> {
  const full = logFrames(buffer).length >= tailRequest(requested);
  const lines = logLines(buffer, options);
  return (full ? lines.slice(1) : lines).slice(-requested);
}

/** The `tail` to ask the engine for when `requested` lines are wanted (one more, see tailLines). */
export function tailRequest(requested: number): number {
  return requested + 1;
}
