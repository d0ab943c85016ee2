import { describe, expect, it } from 'vitest';
import type { Release } from '../targets/operations.js';
import type { JournalEvent } from '../terminal/progress-journal.js';
import { failurePart, progressPart, releasesPart, statusPart } from './page-html.js';

const release = (number: number, status: Release['status'], extra: Partial<Release> = {}): Release => ({
  number, image: `berth-shop:local-release-${number}`, digest: `sha256:${String(number).repeat(64).slice(0, 64)}`, createdAt: '2026-01-01T10:00:00Z', createdBy: 'ana', status, ...extra,
});

describe('page parts', () => {
  it('releases: a timeline newest first, the live one marked in words, rollback offered for earlier good releases only', () => {
    const html = releasesPart({ value: [release(4, 'failed'), release(3, 'deployed', { rollbackOf: 1 }), release(2, 'superseded'), release(1, 'rolled-back')] }, 3);
    expect(html.match(/<li class="release/g)).toHaveLength(4);
    expect(html).toMatch(/<li class="release live" data-release="3">.*<span class="live-badge">live<\/span>.*rollback to 1/);
    expect([...html.matchAll(/button type="button" class="rollback" data-release="(\d+)"/g)].map((match) => match[1])).toEqual(['2', '1']);
  });

  it('escapes what it shows', () => {
    const html = releasesPart({ value: [release(1, 'deployed', { image: '<img src=x onerror=alert(1)>', createdBy: '"ana"' })] }, 1);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;ana&quot;');
  });

  it('progress: each step with its state in words, the run running until it finishes', () => {
    const at = '2026-01-01T10:00:00Z';
    const events: JournalEvent[] = [
      { run: 'r', at, type: 'run-started', command: 'deploy', pid: 1 },
      { run: 'r', at, type: 'step-started', step: 1, title: 'Build Dockerfile' },
      { run: 'r', at, type: 'step-succeeded', step: 1, detail: 'berth-shop:local-release-2' },
      { run: 'r', at, type: 'step-started', step: 2, title: 'Health checks' },
      { run: 'r', at, type: 'step-updated', step: 2, detail: '1/2 healthy' },
    ];
    const running = progressPart(events);
    expect(running).toContain('data-state="running"');
    expect(running).toMatch(/<span class="state">done<\/span> Build Dockerfile <span class="detail">— berth-shop:local-release-2/);
    expect(running).toMatch(/<span class="state">running<\/span> Health checks <span class="detail">— 1\/2 healthy/);
    const failed = progressPart([...events, { run: 'r', at, type: 'step-failed', step: 2, detail: '0/2 healthy' }, { run: 'r', at, type: 'run-finished', ok: false, message: 'replica r2-0 failed the health check' }]);
    expect(failed).toContain('data-state="failed"');
    expect(failed).toContain('<strong>failed</strong> — replica r2-0 failed the health check');
    expect(progressPart([])).toContain('No deploy or rollback recorded yet');
  });

  it('status and failure say in plain words what could not be read or what went wrong', () => {
    expect(statusPart({ error: 'no AWS credentials found', hint: 'set AWS_PROFILE' })).toBe('<div class="problem" role="status"><p><strong>Live status could not be read:</strong> no AWS credentials found</p><p class="hint">set AWS_PROFILE</p></div>');
    const html = failurePart({ release: 3, recordedAt: '2026-01-01T10:00:00Z', diagnoses: [{ id: 'wrong-port', title: 'Wrong port', cause: 'the app listens on 5000', fix: 'set service.port: 5000', evidence: ['connection refused'] }], unexplained: [] });
    expect(html).toContain('The last deploy (release 3) failed');
    expect(html).toContain('<strong>Fix:</strong> set service.port: 5000');
  });
});
