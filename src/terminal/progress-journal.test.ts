import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Progress } from './progress.js';
import { JOURNAL_ROTATE_BYTES, latestRun, parseJournal, recordProgress } from './progress-journal.js';

function recordingInner(): { progress: Progress; shown: string[] } {
  const shown: string[] = [];
  return {
    shown,
    progress: {
      step: (title) => {
        shown.push(`step ${title}`);
        return { update: (d) => shown.push(`update ${d}`), succeed: (d) => shown.push(`ok ${d ?? ''}`), fail: (d) => shown.push(`fail ${d ?? ''}`), warn: (d) => shown.push(`warn ${d ?? ''}`) };
      },
      info: (m) => shown.push(`info ${m}`),
      warn: (m) => shown.push(`warning ${m}`),
    },
  };
}

describe('progress journal', () => {
  it('records what the progress shows, in order, and how the run ended', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'state', 'progress.jsonl');
    const inner = recordingInner();
    const run = recordProgress(file, 'deploy', inner.progress);
    await run.track(async () => {
      const step = run.progress.step('Build Dockerfile');
      step.update('\u001b[1mStep 2/5\u001b[0m');
      step.succeed('berth-app:local-release-2');
      run.progress.warn('something to know');
      const health = run.progress.step('Health checks');
      health.fail('1/2 healthy');
      return { ok: false, reasons: ['replica r2-0 failed the health check'], release: { number: 2 } };
    });
    expect(inner.shown).toEqual(['step Build Dockerfile', 'update \u001b[1mStep 2/5\u001b[0m', 'ok berth-app:local-release-2', 'warning something to know', 'step Health checks', 'fail 1/2 healthy']);
    const events = parseJournal(readFileSync(file, 'utf8'));
    expect(events.map((event) => event.type)).toEqual(['run-started', 'step-started', 'step-updated', 'step-succeeded', 'warn', 'step-started', 'step-failed', 'run-finished']);
    expect(new Set(events.map((event) => event.run)).size).toBe(1);
    expect(events[2]).toMatchObject({ step: 1, detail: 'Step 2/5' });
    expect(events[6]).toMatchObject({ step: 2, detail: '1/2 healthy' });
    expect(events[7]).toMatchObject({ ok: false, release: 2, message: 'replica r2-0 failed the health check' });
  });

  it('records a thrown error as a failed run and rethrows it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'progress.jsonl');
    const run = recordProgress(file, 'rollback', recordingInner().progress);
    await expect(run.track(async () => { throw new Error('no earlier release'); })).rejects.toThrow('no earlier release');
    expect(parseJournal(readFileSync(file, 'utf8')).at(-1)).toMatchObject({ type: 'run-finished', ok: false, message: 'no earlier release' });
  });

  it('latestRun returns the newest run only; torn lines are skipped', () => {
    const text = [
      JSON.stringify({ run: 'a', at: 't', type: 'run-started', command: 'deploy', pid: 1 }),
      JSON.stringify({ run: 'a', at: 't', type: 'run-finished', ok: true }),
      JSON.stringify({ run: 'b', at: 't', type: 'run-started', command: 'rollback', pid: 2 }),
      JSON.stringify({ run: 'b', at: 't', type: 'step-started', step: 1, title: 'Roll out' }),
      '{"run":"b","at":"t","type":"step-upd',
    ].join('\n');
    expect(latestRun(parseJournal(text)).map((event) => [event.run, event.type])).toEqual([['b', 'run-started'], ['b', 'step-started']]);
  });

  it('moves a large journal aside when a run starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const file = join(dir, 'progress.jsonl');
    writeFileSync(file, 'x'.repeat(JOURNAL_ROTATE_BYTES + 1));
    recordProgress(file, 'deploy', recordingInner().progress);
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(parseJournal(readFileSync(file, 'utf8')).map((event) => event.type)).toEqual(['run-started']);
  });

  it('an unwritable journal never fails the operation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    writeFileSync(join(dir, 'blocker'), '');
    const run = recordProgress(join(dir, 'blocker', 'progress.jsonl'), 'deploy', recordingInner().progress);
    run.progress.step('Build').succeed();
    await expect(run.track(async () => ({ ok: true }))).resolves.toEqual({ ok: true });
  });
});
