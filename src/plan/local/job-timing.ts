/**
 * When a job runs on the local engine: the next time a five-field UTC cron expression matches (as EventBridge
 * Scheduler evaluates the same schedule on AWS), or the next multiple of a rate counted from an anchor (the time
 * the environment's scheduler took the release over; on AWS, the time the schedule was created).
 */
import type { JobSchedule } from '../../config/model.js';
import { CRON_DAY_NAMES, CRON_MONTH_NAMES, parseCronField as field } from '../cron-field.js';

interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number> | 'any';
  months: Set<number>;
  /** 0 = Sunday ... 6 = Saturday. */
  weekdays: Set<number> | 'any';
}

/** Parses `minute hour day-of-month month day-of-week` (UTC); throws on anything berth.yml validation would refuse. */
export function parseCron(expression: string): CronFields {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`"${expression}" is not a five-field cron expression`);
  const [minute, hour, day, month, weekday] = parts as [string, string, string, string, string];
  const anyDay = day === '*' || day === '?';
  const anyWeekday = weekday === '*' || weekday === '?';
  return {
    minutes: field(minute, 0, 59),
    hours: field(hour, 0, 23),
    days: anyDay ? 'any' : field(day, 1, 31),
    months: field(month, 1, 12, CRON_MONTH_NAMES, 1),
    // 7 is Sunday too.
    weekdays: anyWeekday ? 'any' : new Set([...field(weekday, 0, 7, CRON_DAY_NAMES, 0)].map((value) => value % 7)),
  };
}

function cronMatches(fields: CronFields, at: Date): boolean {
  if (!fields.minutes.has(at.getUTCMinutes()) || !fields.hours.has(at.getUTCHours()) || !fields.months.has(at.getUTCMonth() + 1)) return false;
  const dayOk = fields.days === 'any' || fields.days.has(at.getUTCDate());
  const weekdayOk = fields.weekdays === 'any' || fields.weekdays.has(at.getUTCDay());
  return dayOk && weekdayOk;
}

const MINUTE_MS = 60_000;
/** A cron expression matches at least once in any 4 years (29 February); searching further means it never does. */
const SEARCH_LIMIT_MINUTES = 4 * 366 * 24 * 60;

/** The first whole minute strictly after `after` at which the cron expression matches (UTC). */
export function nextCronRun(expression: string, after: Date): Date | undefined {
  const fields = parseCron(expression);
  let at = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  for (let step = 0; step < SEARCH_LIMIT_MINUTES; step += 1, at += MINUTE_MS) {
    const date = new Date(at);
    if (!fields.months.has(date.getUTCMonth() + 1)) {
      // Skip to the first minute of the next month.
      at = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) - MINUTE_MS;
      continue;
    }
    if (cronMatches(fields, date)) return date;
  }
  return undefined;
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** The next run of a schedule strictly after `after`; a rate counts whole periods from `anchor`. */
export function nextRun(schedule: JobSchedule, after: Date, anchor: Date): Date | undefined {
  if (schedule.kind === 'cron') return nextCronRun(schedule.cron, after);
  const period = schedule.value * UNIT_MS[schedule.unit];
  const elapsed = after.getTime() - anchor.getTime();
  const periods = elapsed < 0 ? 1 : Math.floor(elapsed / period) + 1;
  return new Date(anchor.getTime() + periods * period);
}

/** Whether a run is due: its next time after the previous check has come. */
export function runsDue(schedule: JobSchedule, lastCheck: Date, now: Date, anchor: Date): Date | undefined {
  const next = nextRun(schedule, lastCheck, anchor);
  return next && next.getTime() <= now.getTime() ? next : undefined;
}
