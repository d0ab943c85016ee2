import { describe, expect, it } from 'vitest';
import { parseAwsCron, scheduledCapacity, runsPerMonth } from './schedule.js';

describe('parseAwsCron', () => {
  it('reads ranges, lists, steps and names', () => {
    const cron = parseAwsCron('cron(0/30 8-18 ? JAN,MAR * MON-FRI *)'.replace(' * MON', ' MON').replace('JAN,MAR * ', 'JAN,MAR '));
    expect([...cron.minutes]).toEqual([0, 30]);
    expect([...cron.hours]).toHaveLength(11);
    expect(cron.months).toEqual(new Set([1, 3]));
    expect(cron.daysOfWeek).toEqual(new Set([2, 3, 4, 5, 6]));
  });

  it('rejects what it cannot replay', () => {
    expect(() => parseAwsCron('rate(5 minutes)')).toThrow(/not a cron\(\) schedule/);
    expect(() => parseAwsCron('cron(0 8 L * ? *)')).toThrow(/"L" is not supported/);
    expect(() => parseAwsCron('cron(0 8 * *)')).toThrow(/needs 6 fields/);
  });
});

describe('scheduledCapacity', () => {
  it('turns "0 tasks from 20:00 to 08:00" into half the hours', () => {
    const result = scheduledCapacity({ min: 2, max: 4 }, [
      { name: 'night', schedule: 'cron(0 20 * * ? *)', min: 0, max: 0 },
      { name: 'morning', schedule: 'cron(0 8 * * ? *)', min: 2, max: 4 },
    ]);
    expect(result.periods).toEqual([{ min: 0, max: 0, hours: 365 }, { min: 2, max: 4, hours: 365 }]);
    expect(result.minTaskHours).toBe(730);
    expect(result.maxTaskHours).toBe(1460);
  });

  it('counts weekends off on weekdays-only schedules', () => {
    const result = scheduledCapacity({ min: 1, max: 1 }, [
      { name: 'up', schedule: 'cron(0 8 ? * MON-FRI *)', min: 1, max: 1 },
      { name: 'down', schedule: 'cron(0 18 ? * MON-FRI *)', min: 0, max: 0 },
    ]);
    // 10 h on each of 261 weekdays in 2025, per month
    expect(result.minTaskHours).toBeCloseTo((261 * 10) / 12, 6);
  });

  it('starts from the state the schedule itself leaves, not from the base', () => {
    const result = scheduledCapacity({ min: 5, max: 5 }, [{ name: 'always-zero', schedule: 'cron(0 0 1 1 ? *)', min: 0, max: 0 }]);
    expect(result.maxTaskHours).toBe(0);
  });

  it('keeps the base capacity and says why when an action cannot be replayed', () => {
    const result = scheduledCapacity({ min: 1, max: 2 }, [{ name: 'odd', schedule: 'at(2026-01-01T00:00:00)', min: 0 }]);
    expect(result.periods).toEqual([{ min: 1, max: 2, hours: 730 }]);
    expect(result.ignored).toEqual(['odd (at(2026-01-01T00:00:00)): "at(2026-01-01T00:00:00)" is not a cron() schedule']);
  });

  it('lowers the minimum with the maximum', () => {
    const result = scheduledCapacity({ min: 2, max: 4 }, [{ name: 'cap', schedule: 'cron(0 0 * * ? *)', max: 1 }]);
    expect(result.periods).toEqual([{ min: 1, max: 1, hours: 730 }]);
  });
});

describe('runsPerMonth', () => {
  it('counts the firings of a scheduler expression in an average month', () => {
    expect(runsPerMonth('cron(*/15 * * * ? *)')).toBe(2920);
    expect(runsPerMonth('cron(0 3 * * ? *)')).toBeCloseTo(30.417, 3);
    // 261 weekdays in the reference year 2025
    expect(runsPerMonth('cron(0 9 ? * MON-FRI *)')).toBeCloseTo(261 / 12, 6);
    expect(runsPerMonth('rate(15 minutes)')).toBe(2920);
    expect(runsPerMonth('rate(1 hour)')).toBe(730);
    expect(runsPerMonth('rate(2 days)')).toBeCloseTo(15.208, 3);
    expect(() => runsPerMonth('at(2026-12-01T00:00:00)')).toThrow();
  });
});
