import { describe, expect, it } from 'vitest';
import { nextCronRun, nextRun, parseCron, runsDue } from './job-timing.js';

const at = (iso: string) => new Date(iso);

describe('nextCronRun (five fields, UTC)', () => {
  it('finds the next quarter hour for */15', () => {
    expect(nextCronRun('*/15 * * * *', at('2026-03-01T10:07:30Z'))!.toISOString()).toBe('2026-03-01T10:15:00.000Z');
    expect(nextCronRun('*/15 * * * *', at('2026-03-01T10:15:00Z'))!.toISOString()).toBe('2026-03-01T10:30:00.000Z');
    expect(nextCronRun('*/15 * * * *', at('2026-03-01T23:59:00Z'))!.toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });

  it('runs every minute for * * * * *, strictly after the given time', () => {
    expect(nextCronRun('* * * * *', at('2026-03-01T10:07:00Z'))!.toISOString()).toBe('2026-03-01T10:08:00.000Z');
    expect(nextCronRun('* * * * *', at('2026-03-01T10:07:59.999Z'))!.toISOString()).toBe('2026-03-01T10:08:00.000Z');
  });

  it('honours hours, days of the week (numbers, names, 7 = Sunday) and months', () => {
    // 2026-03-06 is a Friday.
    expect(nextCronRun('0 20 * * 1-5', at('2026-03-06T20:00:00Z'))!.toISOString()).toBe('2026-03-09T20:00:00.000Z');
    expect(nextCronRun('30 6 * * SUN', at('2026-03-06T00:00:00Z'))!.toISOString()).toBe('2026-03-08T06:30:00.000Z');
    expect(nextCronRun('30 6 * * 7', at('2026-03-06T00:00:00Z'))!.toISOString()).toBe('2026-03-08T06:30:00.000Z');
    expect(nextCronRun('0 0 1 JAN *', at('2026-03-06T00:00:00Z'))!.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextCronRun('0 12 29 2 *', at('2026-03-06T00:00:00Z'))!.toISOString()).toBe('2028-02-29T12:00:00.000Z');
  });

  it('never matches an impossible date', () => {
    expect(nextCronRun('0 0 31 2 *', at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('refuses what is not a five-field expression', () => {
    expect(() => parseCron('* * * *')).toThrow(/five-field/);
    expect(() => parseCron('61 * * * *')).toThrow(/outside/);
  });
});

describe('nextRun and runsDue', () => {
  const anchor = at('2026-03-01T10:00:20Z');

  it('counts a rate in whole periods from the anchor', () => {
    const rate = { kind: 'rate', value: 5, unit: 'minute' } as const;
    expect(nextRun(rate, anchor, anchor)!.toISOString()).toBe('2026-03-01T10:05:20.000Z');
    expect(nextRun(rate, at('2026-03-01T10:12:00Z'), anchor)!.toISOString()).toBe('2026-03-01T10:15:20.000Z');
    expect(nextRun({ kind: 'rate', value: 1, unit: 'day' }, anchor, anchor)!.toISOString()).toBe('2026-03-02T10:00:20.000Z');
  });

  it('says a run is due once its time has come since the last check, and only then', () => {
    const cron = { kind: 'cron', cron: '* * * * *' } as const;
    expect(runsDue(cron, at('2026-03-01T10:00:58Z'), at('2026-03-01T10:00:59Z'), anchor)).toBeUndefined();
    expect(runsDue(cron, at('2026-03-01T10:00:59Z'), at('2026-03-01T10:01:00Z'), anchor)!.toISOString()).toBe('2026-03-01T10:01:00.000Z');
    expect(runsDue(cron, at('2026-03-01T10:01:00Z'), at('2026-03-01T10:01:01Z'), anchor)).toBeUndefined();
  });
});
