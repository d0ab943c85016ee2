import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../operations.js';
import { logRedactor } from './log-redaction.js';
import { filterPattern, readLogs } from './logs.js';

const logs = mockClient(CloudWatchLogsClient);
beforeEach(() => logs.reset());
const CANARY = 'canary-logs-77aa';
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('readLogs', () => {
  it('reads since the given time, prefixes the task id and masks secret values', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [
      { eventId: '2', timestamp: NOW - 1000, logStreamName: 'app/app/0123456789abcdef0123', message: `connecting postgresql://shop:${CANARY}@db:5432/shop\n` },
      { eventId: '1', timestamp: NOW - 2000, logStreamName: 'app/app/0123456789abcdef0123', message: 'GET /health 200' },
    ] });
    const lines: LogLine[] = [];
    await readLogs(new CloudWatchLogsClient({ region: 'eu-west-1' }), '/berth/shop/prod', { follow: false, sinceSeconds: 600, filter: 'GET "x"' }, (line) => lines.push(line), new AbortController().signal, logRedactor([]), { now: () => NOW });
    expect(lines.map((l) => `${l.source} ${l.message}`)).toEqual(['0123456789ab GET /health 200', '0123456789ab connecting postgresql://shop:***@db:5432/shop']);
    expect(JSON.stringify(lines)).not.toContain(CANARY);
    const input = logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ logGroupName: '/berth/shop/prod', startTime: NOW - 600_000, filterPattern: '"GET \\"x\\""' });
  });

  it('--follow keeps polling from the newest event without repeating lines until aborted', async () => {
    const controller = new AbortController();
    logs.on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: '1', timestamp: NOW, logStreamName: 's/a/t1', message: 'one' }] })
      .resolvesOnce({ events: [{ eventId: '1', timestamp: NOW, logStreamName: 's/a/t1', message: 'one' }, { eventId: '2', timestamp: NOW + 5, logStreamName: 's/a/t1', message: 'two' }] })
      .resolves({ events: [] });
    const lines: string[] = [];
    let polls = 0;
    await readLogs(new CloudWatchLogsClient({ region: 'eu-west-1' }), 'g', { follow: true, sinceSeconds: 60 }, (line) => lines.push(line.message), controller.signal, (l) => l, {
      now: () => NOW, sleep: async () => { polls += 1; if (polls === 3) controller.abort(); },
    });
    expect(lines).toEqual(['one', 'two']);
    expect(logs.commandCalls(FilterLogEventsCommand)[1]!.args[0].input.startTime).toBe(NOW);
  });

  it('explains a missing log group and throttling', async () => {
    logs.on(FilterLogEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { attempts: 6 } }));
    await expect(readLogs(new CloudWatchLogsClient({ region: 'eu-west-1' }), 'g', { follow: false, sinceSeconds: 60 }, () => undefined, new AbortController().signal, (l) => l)).rejects.toThrow(/gave up after 6 attempts/);
    expect(filterPattern(undefined)).toBeUndefined();
  });
});
