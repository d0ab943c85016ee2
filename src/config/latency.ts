/** Response times written as 2, 1.5, "2s" or "500ms" (seconds when no unit). */

const LATENCY_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/;

/** Seconds, or undefined when the value is not a response time. */
export function parseLatency(value: number | string): number | undefined {
  if (typeof value === 'number') return value > 0 ? value : undefined;
  const match = LATENCY_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const seconds = match[2] === 'ms' ? amount / 1000 : amount;
  return seconds > 0 ? seconds : undefined;
}

/** "2s", "500ms", "1.5s". */
export function formatLatency(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)}ms` : `${Number(seconds.toFixed(3))}s`;
}
