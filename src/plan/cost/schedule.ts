/**
 * Hours per month at each capacity under Application Auto Scaling scheduled actions: the AWS cron
 * expressions are replayed over a 365-day year, so "0 tasks from 20:00 to 08:00" becomes task-hours.
 */
import { CRON_DAY_NAMES, CRON_MONTH_NAMES, parseCronField as parseField } from '../cron-field.js';
import { HOURS_PER_MONTH } from './price-table.js';

export interface Capacity {
  min: number;
  max: number;
}

/** One scheduled action as written in the template. */
export interface ScheduledCapacityChange {
  name: string;
  /** "cron(...)", "at(...)" or "rate(...)" as in ScalableTarget.ScheduledActions[].Schedule. */
  schedule: string;
  min?: number;
  max?: number;
}

/** Monthly hours spent at one capacity. */
export interface CapacityPeriod extends Capacity {
  hours: number;
}

export interface ScheduledCapacity {
  periods: CapacityPeriod[];
  /** Task-hours per month when the service runs at its minimum / maximum at every moment. */
  minTaskHours: number;
  maxTaskHours: number;
  /** Actions that could not be replayed (one-off at(), rate(), or cron features such as L, W, #). */
  ignored: string[];
}

interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number> | 'any';
  months: Set<number>;
  /** AWS numbering: 1 = Sunday ... 7 = Saturday. */
  daysOfWeek: Set<number> | 'any';
  years: Set<number> | 'any';
}

/** Parse "cron(minutes hours day-of-month month day-of-week year)" as Application Auto Scaling writes it. */
export function parseAwsCron(schedule: string): CronFields {
  const match = /^cron\((.*)\)$/.exec(schedule.trim());
  if (!match) throw new Error(`"${schedule}" is not a cron() schedule`);
  const fields = match[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`"${schedule}" needs 6 fields (minutes hours day-of-month month day-of-week year)`);
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  return {
    minutes: parseField(minutes, 0, 59),
    hours: parseField(hours, 0, 23),
    daysOfMonth: dom === '?' || dom === '*' ? 'any' : parseField(dom, 1, 31),
    months: parseField(month, 1, 12, CRON_MONTH_NAMES, 1),
    daysOfWeek: dow === '?' || dow === '*' ? 'any' : parseField(dow, 1, 7, CRON_DAY_NAMES, 1),
    years: year === '*' || year === '?' ? 'any' : parseField(year, 1970, 2199),
  };
}

/** A common (non-leap) year whose 8,760 hours divide into 12 months of 730. */
const REFERENCE_YEAR = 2025;
const MINUTES_PER_YEAR = 365 * 24 * 60;

/** Minutes of the reference year at which a cron schedule fires. */
function firingMinutes(cron: CronFields): number[] {
  const minutes: number[] = [];
  const start = Date.UTC(REFERENCE_YEAR, 0, 1);
  for (let day = 0; day < 365; day += 1) {
    const date = new Date(start + day * 86_400_000);
    if (!cron.months.has(date.getUTCMonth() + 1)) continue;
    if (cron.years !== 'any' && !cron.years.has(REFERENCE_YEAR)) continue;
    const domOk = cron.daysOfMonth === 'any' || cron.daysOfMonth.has(date.getUTCDate());
    const dowOk = cron.daysOfWeek === 'any' || cron.daysOfWeek.has(date.getUTCDay() + 1);
    if (!domOk || !dowOk) continue;
    for (const hour of cron.hours) for (const minute of cron.minutes) minutes.push(day * 1440 + hour * 60 + minute);
  }
  return minutes;
}

/**
 * Replay scheduled actions over a year, starting from the state the year's own actions leave behind
 * (the schedule repeats), and return the hours per month at each capacity.
 */
export function scheduledCapacity(base: Capacity, changes: readonly ScheduledCapacityChange[]): ScheduledCapacity {
  const ignored: string[] = [];
  const events: Array<{ minute: number; order: number; change: ScheduledCapacityChange }> = [];
  changes.forEach((change, order) => {
    try {
      for (const minute of firingMinutes(parseAwsCron(change.schedule))) events.push({ minute, order, change });
    } catch (error) {
      ignored.push(`${change.name} (${change.schedule}): ${(error as Error).message}`);
    }
  });
  events.sort((a, b) => a.minute - b.minute || a.order - b.order);
  const apply = (state: Capacity, change: ScheduledCapacityChange): Capacity => {
    const max = change.max ?? state.max;
    const min = Math.min(change.min ?? state.min, max);
    return { min, max };
  };
  let state = { ...base };
  for (const event of events) state = apply(state, event.change);
  const minutesAt = new Map<string, CapacityPeriod>();
  const spend = (capacity: Capacity, minutes: number) => {
    if (minutes <= 0) return;
    const key = `${capacity.min}/${capacity.max}`;
    const period = minutesAt.get(key) ?? { ...capacity, hours: 0 };
    period.hours += minutes / 60;
    minutesAt.set(key, period);
  };
  let at = 0;
  for (const event of events) {
    spend(state, event.minute - at);
    at = event.minute;
    state = apply(state, event.change);
  }
  spend(state, MINUTES_PER_YEAR - at);
  const periods = [...minutesAt.values()].map((period) => ({ ...period, hours: (period.hours / 8760) * HOURS_PER_MONTH }));
  periods.sort((a, b) => b.hours - a.hours);
  return {
    periods,
    minTaskHours: periods.reduce((sum, p) => sum + p.min * p.hours, 0),
    maxTaskHours: periods.reduce((sum, p) => sum + p.max * p.hours, 0),
    ignored,
  };
}

const RATE_EXPRESSION = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;

/**
 * How often an EventBridge Scheduler expression fires in an average month: cron() replayed over the reference year
 * and divided by 12, rate() as 730 hours over its interval. Throws for what cannot be replayed (at(), L, W, #).
 */
export function runsPerMonth(expression: string): number {
  const rate = RATE_EXPRESSION.exec(expression.trim());
  if (rate) {
    const minutes = Number(rate[1]) * { minute: 1, hour: 60, day: 1440 }[rate[2]!.replace(/s$/, '') as 'minute' | 'hour' | 'day'];
    return (HOURS_PER_MONTH * 60) / minutes;
  }
  return firingMinutes(parseAwsCron(expression)).length / 12;
}
