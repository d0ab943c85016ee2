/**
 * `berth logs` on AWS: the environment's CloudWatch log group, each line prefixed with its task id and named by the
 * service whose stream prefix wrote it, masked for secret-looking values; `--service` reads only that service's
 * streams (`<prefix>/...`); --follow polls until interrupted.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { LogLine, LogsRequest } from '../operations.js';
import { awsCall } from './aws-errors.js';

/** The task id of a stream named <prefix>/<container>/<task id> (pure). */
export function streamSource(streamName: string | undefined): string {
  return (streamName ?? '').split('/').pop()?.slice(0, 12) ?? '';
}

/** CloudWatch filter syntax: plain text is quoted so it matches as a phrase (pure). */
export function filterPattern(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function toLogLine(event: FilteredLogEvent, redact: (line: string) => string, serviceOf?: (streamName: string | undefined) => string | undefined): LogLine {
  const service = serviceOf?.(event.logStreamName);
  return {
    timestamp: new Date(event.timestamp ?? 0).toISOString(),
    source: streamSource(event.logStreamName),
    message: redact((event.message ?? '').replace(/\s+$/, '')),
    ...(service ? { service } : {}),
  };
}

/** Which streams to read and how to name their service. */
export interface LogStreams {
  /** Only streams starting with this (`<service prefix>/`). */
  prefix?: string;
  serviceOf?(streamName: string | undefined): string | undefined;
}

export async function readLogs(
  client: CloudWatchLogsClient,
  group: string,
  request: LogsRequest,
  onLine: (line: LogLine) => void,
  signal: AbortSignal,
  redact: (line: string) => string,
  options: { now?: () => number; sleep?: (ms: number, signal: AbortSignal) => Promise<void>; pollMs?: number; streams?: LogStreams } = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms, abort) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    abort.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  }));
  let startTime = now() - request.sinceSeconds * 1000;
  const seen = new Set<string>();
  const pattern = filterPattern(request.filter);
  do {
    let nextToken: string | undefined;
    let newest = startTime;
    do {
      const page = await awsCall(`reading logs from ${group} (logs:FilterLogEvents)`, () => client.send(new FilterLogEventsCommand({
        logGroupName: group, startTime, ...(pattern ? { filterPattern: pattern } : {}), ...(options.streams?.prefix ? { logStreamNamePrefix: options.streams.prefix } : {}), nextToken, limit: 1000,
      }), { abortSignal: signal }));
      for (const event of (page.events ?? []).sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))) {
        if (event.eventId && seen.has(event.eventId)) continue;
        if (event.eventId) seen.add(event.eventId);
        newest = Math.max(newest, event.timestamp ?? 0);
        onLine(toLogLine(event, redact, options.streams?.serviceOf));
      }
      nextToken = page.nextToken;
    } while (nextToken && !signal.aborted);
    // Events with the same millisecond may arrive late: restart at the newest seen, dedupe by id.
    startTime = newest;
    if (!request.follow || signal.aborted) return;
    await sleep(options.pollMs ?? 2000, signal);
  } while (!signal.aborted);
}
