import { describe, expect, it } from 'vitest';
import type { DeployOutcome, StatusReport } from '../../targets/operations.js';
import { describeFailure, describeOutcome, describeReleases, describeStatus, formatLogLine } from './operate-output.js';

const release = { number: 3, image: 'berth-shop:local-release-3', digest: 'sha256:1', createdAt: '2026-11-23T10:00:00Z', createdBy: 'ana', status: 'deployed' as const };

describe('deploy output', () => {
  it('prints the release and the URL on success', () => {
    const outcome: DeployOutcome = { ok: true, env: 'local', release, url: 'http://127.0.0.1:8080', reasons: [], logTail: [] };
    expect(describeOutcome(outcome)).toEqual(['Deployed release 3 of local', '  http://127.0.0.1:8080']);
  });

  it('prints the reasons, who keeps serving and the last log lines on failure', () => {
    const outcome: DeployOutcome = { ok: false, env: 'local', release: { ...release, status: 'failed' }, url: 'http://127.0.0.1:8080', reasons: ['replica r3-1 exited with code 1'], logTail: ['ModuleNotFoundError: No module named flask'] };
    const lines = describeFailure(outcome);
    expect(lines[0]).toBe('error: replica r3-1 exited with code 1');
    expect(lines).toContain('the previous release keeps serving at http://127.0.0.1:8080');
    expect(lines).toContain('  | ModuleNotFoundError: No module named flask');
  });

  it('puts the cause and the fix first, before what berth saw and the log tail', () => {
    const outcome: DeployOutcome = {
      ok: false, env: 'local', release: { ...release, status: 'failed' }, reasons: ['replica r3-1 exited with code 1'], logTail: ["ModuleNotFoundError: No module named 'flask'"],
      diagnoses: [{ id: 'missing-dependency', title: 'A module the app imports is not installed', cause: 'The app imports flask, which is not installed in the image.', fix: 'Add flask to the app\'s dependencies.' }],
    };
    expect(describeFailure(outcome)).toEqual([
      'error: The app imports flask, which is not installed in the image.',
      'fix: Add flask to the app\'s dependencies.',
      '  replica r3-1 exited with code 1',
      'last lines of the new replica:',
      "  | ModuleNotFoundError: No module named 'flask'",
      'hint: `berth doctor` runs the deeper checks; `berth logs` shows more',
    ]);
  });
});

describe('status and releases output', () => {
  it('shows replicas with their health and why an unhealthy one is out', () => {
    const report: StatusReport = {
      app: 'shop', env: 'local', target: 'local', url: 'http://127.0.0.1:8080', release,
      tasks: { desired: 2, running: 2, pending: 0, healthy: 1, items: [
        { id: 'berth-shop-local-r3-1-aaaa', release: 3, status: 'running', health: 'healthy', address: 'http://127.0.0.1:32001' },
        { id: 'berth-shop-local-r3-2-bbbb', release: 3, status: 'running', health: 'unhealthy', stoppedReason: 'HTTP 500 from /health' },
      ] },
      deployments: [], dependencies: [{ kind: 'database', engine: 'postgres', endpoint: 'berth-shop-local-database:5432', status: 'Up (healthy)' }], alarms: [], notes: [],
    };
    const text = describeStatus(report);
    expect(text).toContain('1/2 healthy, 2 running');
    expect(text).toMatch(/berth-shop-local-r3-2-bbbb\s+3\s+running\s+unhealthy \(HTTP 500 from \/health\)/);
    expect(text).toMatch(/database\s+postgres\s+berth-shop-local-database:5432/);
  });

  it('lists releases newest first with rollbacks noted', () => {
    const text = describeReleases([{ ...release, number: 4, rollbackOf: 2 }, { ...release, status: 'superseded' }]);
    expect(text.split('\n')[1]).toMatch(/^4\s+deployed.*rollback to 2$/);
    expect(describeReleases([])).toContain('berth deploy');
  });

  it('prefixes log lines with their replica', () => {
    expect(formatLogLine({ timestamp: 't', source: 'r3-1-aaaa', message: 'hello' }, 12)).toBe('r3-1-aaaa    | hello');
  });
});
