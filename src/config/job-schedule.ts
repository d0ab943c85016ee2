/** A job's `schedule:` — five-field UTC cron, or `rate(<n> minute(s)|hour(s)|day(s))` as AWS writes it. */
import type { JobSchedule } from './model.js';

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const CRON_FIELD = /^[0-9A-Za-z*/,\-?]+$/;

export type ParsedSchedule = { ok: true; schedule: JobSchedule } | { ok: false; message: string };

export function parseJobSchedule(text: string): ParsedSchedule {
  const trimmed = text.trim();
  const rate = RATE.exec(trimmed);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '') as 'minute' | 'hour' | 'day';
    if (value < 1) return { ok: false, message: `"${text}": the rate must be at least 1` };
    if (value === 1 && rate[2]!.endsWith('s')) return { ok: false, message: `"${text}": AWS writes a rate of 1 in the singular, rate(1 ${unit})` };
    if (value > 1 && !rate[2]!.endsWith('s')) return { ok: false, message: `"${text}": AWS writes the plural for rates above 1, rate(${value} ${unit}s)` };
    return { ok: true, schedule: { kind: 'rate', value, unit } };
  }
  if (trimmed.startsWith('rate(')) return { ok: false, message: `"${text}" is not a rate such as rate(15 minutes), rate(1 hour) or rate(2 days)` };
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 || !fields.every((field) => CRON_FIELD.test(field))) {
    return { ok: false, message: `"${text}" is not a schedule: use a five-field UTC cron expression (minute hour day-of-month month day-of-week) such as "*/15 * * * *", or rate(15 minutes)` };
  }
  if (fields[2] !== '*' && fields[2] !== '?' && fields[4] !== '*' && fields[4] !== '?') {
    return { ok: false, message: `"${text}" sets both day-of-month and day-of-week; AWS schedules allow only one of them` };
  }
  return { ok: true, schedule: { kind: 'cron', cron: fields.join(' ') } };
}

/** The schedule as written in berth.yml's words. */
export function describeJobSchedule(schedule: JobSchedule): string {
  return schedule.kind === 'cron' ? `cron "${schedule.cron}" (UTC)` : `every ${schedule.value === 1 ? schedule.unit : `${schedule.value} ${schedule.unit}s`}`;
}

/** Seconds between runs of a rate, or undefined for cron (see the cost module for expected runs of a cron). */
export function rateSeconds(schedule: JobSchedule): number | undefined {
  if (schedule.kind !== 'rate') return undefined;
  return schedule.value * { minute: 60, hour: 3600, day: 86400 }[schedule.unit];
}
