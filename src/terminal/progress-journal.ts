/**
 * The progress journal: a deploy or rollback appends what its Progress shows (steps started, updated, ended;
 * info and warnings) as JSON lines to a file in the environment's state folder, so `berth ui` in another
 * process can follow it live. It holds exactly the text the terminal shows, which never contains a secret value.
 * Writing is best effort: a journal that cannot be written never fails the operation.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../model/state-paths.js';
import { randomBytes } from 'node:crypto';
import type { Progress, ProgressStep } from './progress.js';

interface EventBase {
  /** One run (a deploy or a rollback) from start to finish. */
  run: string;
  /** ISO 8601. */
  at: string;
}

export type JournalEvent = EventBase & (
  | { type: 'run-started'; command: string; pid: number }
  | { type: 'step-started'; step: number; title: string }
  | { type: 'step-updated'; step: number; detail: string }
  | { type: 'step-succeeded' | 'step-failed' | 'step-warned'; step: number; detail?: string }
  | { type: 'info' | 'warn'; message: string }
  | { type: 'run-finished'; ok: boolean; release?: number; message?: string }
);

/** Journals past this size are moved aside (to <file>.1) when the next run starts. */
export const JOURNAL_ROTATE_BYTES = 512 * 1024;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function clean(text: string): string {
  return text.replace(ANSI, '').slice(0, 2000);
}

export interface JournalRun {
  /** The Progress to hand to the operation: it shows as `inner` does and records each event. */
  progress: Progress;
  /** Runs the operation and records how it ended (`ok` and the release of a DeployOutcome-like result). */
  track<T extends { ok: boolean; release?: { number: number }; reasons?: string[] }>(work: () => Promise<T>): Promise<T>;
}

/** Start a run in the journal at `file` and wrap `inner` to record it. */
export function recordProgress(file: string, command: string, inner: Progress, now: () => Date = () => new Date()): JournalRun {
  const run = `${now().getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
  let writable = true;
  const write = (event: Record<string, unknown>) => {
    if (!writable) return;
    try {
      appendFileSync(file, `${JSON.stringify({ run, at: now().toISOString(), ...event })}\n`, { mode: PRIVATE_FILE_MODE });
    } catch {
      writable = false;
    }
  };
  try {
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > JOURNAL_ROTATE_BYTES) renameSync(file, `${file}.1`);
  } catch {
    writable = false;
  }
  write({ type: 'run-started', command, pid: process.pid });
  let steps = 0;
  const progress: Progress = {
    ...(inner.silent ? { silent: true } : {}),
    step(title: string): ProgressStep {
      const step = ++steps;
      const shown = inner.step(title);
      write({ type: 'step-started', step, title: clean(title) });
      const end = (type: string, detail?: string) => write({ type, step, ...(detail ? { detail: clean(detail) } : {}) });
      return {
        update: (detail) => { shown.update(detail); write({ type: 'step-updated', step, detail: clean(detail) }); },
        succeed: (detail) => { shown.succeed(detail); end('step-succeeded', detail); },
        fail: (detail) => { shown.fail(detail); end('step-failed', detail); },
        warn: (detail) => { shown.warn(detail); end('step-warned', detail); },
      };
    },
    info(message: string): void {
      inner.info(message);
      write({ type: 'info', message: clean(message) });
    },
    warn(message: string): void {
      inner.warn(message);
      write({ type: 'warn', message: clean(message) });
    },
  };
  return {
    progress,
    async track(work) {
      try {
        const outcome = await work();
        write({ type: 'run-finished', ok: outcome.ok, ...(outcome.release ? { release: outcome.release.number } : {}), ...(!outcome.ok && outcome.reasons?.[0] ? { message: clean(outcome.reasons[0]) } : {}) });
        return outcome;
      } catch (error) {
        write({ type: 'run-finished', ok: false, message: clean(error instanceof Error ? error.message : String(error)) });
        throw error;
      }
    },
  };
}

/** Parse journal text; lines that are not events (a torn last line, say) are skipped. */
export function parseJournal(text: string): JournalEvent[] {
  const events: JournalEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as JournalEvent;
      if (typeof event.type === 'string' && typeof event.run === 'string') events.push(event);
    } catch {
      // a partly written line: the next read has it whole
    }
  }
  return events;
}

/** The events of the newest run. */
export function latestRun(events: readonly JournalEvent[]): JournalEvent[] {
  let start = -1;
  for (let i = events.length - 1; i >= 0; i -= 1) {
    if (events[i]!.type === 'run-started') {
      start = i;
      break;
    }
  }
  if (start < 0) return [];
  const run = events[start]!.run;
  return events.slice(start).filter((event) => event.run === run);
}
