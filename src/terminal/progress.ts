/**
 * Progress for anything that takes more than a second. On a TTY: a spinner per step (ora) that
 * ends as a line with a mark and the time taken. Elsewhere: one plain line per event, so logs of
 * CI runs stay readable and parseable. Everything goes to stderr; stdout is for results.
 */
import ora from 'ora';
import { paint } from './paint.js';

export interface ProgressStep {
  /** Replace the step's detail text (e.g. "2/3 tasks healthy"). */
  update(detail: string): void;
  succeed(detail?: string): void;
  fail(detail?: string): void;
  warn(detail?: string): void;
}

export interface Progress {
  step(title: string): ProgressStep;
  info(message: string): void;
  warn(message: string): void;
  /** True when nothing reaches a person (--json): what must be said anyway goes straight to stderr. */
  readonly silent?: boolean;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

class TtyProgress implements Progress {
  constructor(private readonly stream: NodeJS.WriteStream) {}

  step(title: string): ProgressStep {
    const started = Date.now();
    const spinner = ora({ text: title, stream: this.stream }).start();
    const end = (mark: 'succeed' | 'fail' | 'warn', detail?: string) => {
      spinner[mark](`${title}${detail ? ` — ${detail}` : ''} ${paint('dim', `(${seconds(started)})`, this.stream)}`);
    };
    return {
      update: (detail) => { spinner.text = `${title} — ${detail}`; },
      succeed: (detail) => end('succeed', detail),
      fail: (detail) => end('fail', detail),
      warn: (detail) => end('warn', detail),
    };
  }

  info(message: string): void {
    this.stream.write(`  ${message}\n`);
  }

  warn(message: string): void {
    this.stream.write(`${paint('yellow', '!', this.stream)} ${message}\n`);
  }
}

class PlainProgress implements Progress {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  step(title: string): ProgressStep {
    const started = Date.now();
    let last = '';
    this.stream.write(`… ${title}\n`);
    const end = (mark: string, detail?: string) => this.stream.write(`${mark} ${title}${detail ? ` — ${detail}` : ''} (${seconds(started)})\n`);
    return {
      update: (detail) => {
        if (detail !== last) this.stream.write(`  ${title}: ${detail}\n`);
        last = detail;
      },
      succeed: (detail) => end('✔', detail),
      fail: (detail) => end('✖', detail),
      warn: (detail) => end('!', detail),
    };
  }

  info(message: string): void {
    this.stream.write(`  ${message}\n`);
  }

  warn(message: string): void {
    this.stream.write(`! ${message}\n`);
  }
}

/** Progress that says nothing (for --json callers that want only the result, and tests). */
export const silentProgress: Progress = {
  silent: true,
  step: () => ({ update() {}, succeed() {}, fail() {}, warn() {} }),
  info() {},
  warn() {},
};

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY && process.env.TERM !== 'dumb' && !process.env.CI ? new TtyProgress(stream) : new PlainProgress(stream);
}
