/**
 * Five-field cron (minute hour day-of-month month day-of-week, UTC) to the six-field form
 * Application Auto Scaling expects: `cron(minute hour day-of-month month day-of-week year)`,
 * where exactly one of day-of-month and day-of-week is `?` and days of the week are SUN-SAT
 * (AWS numbers them 1-7 from Sunday; cron numbers them 0-6, with 7 also Sunday).
 */

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

export class CronConversionError extends Error {}

/** `0 20 * * 1-5` -> `0 20 ? * MON-FRI *`. Throws CronConversionError for what AWS cannot express. */
export function toAwsCron(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new CronConversionError(`"${expression}" is not a five-field cron expression (minute hour day-of-month month day-of-week)`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  const anyDom = dayOfMonth === '*' || dayOfMonth === '?';
  const anyDow = dayOfWeek === '*' || dayOfWeek === '?';
  if (!anyDom && !anyDow) {
    throw new CronConversionError(`"${expression}" sets both day-of-month and day-of-week; AWS schedules allow only one of them`);
  }
  if (anyDow) return `${minute} ${hour} ${dayOfMonth === '?' ? '*' : dayOfMonth} ${month} ? *`;
  return `${minute} ${hour} ? ${month} ${awsDaysOfWeek(dayOfWeek, expression)} *`;
}

/** The schedule expression for Application Auto Scaling: `cron(...)`. */
export function toAwsScheduleExpression(expression: string): string {
  return `cron(${toAwsCron(expression)})`;
}

/** Cron day-of-week (numbers 0-7 or names, lists, ranges, steps) as AWS day names, ranges kept where contiguous. */
function awsDaysOfWeek(field: string, expression: string): string {
  const days = new Set<number>();
  for (const part of field.split(',')) {
    const [rangeText, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronConversionError(`"${expression}": "${part}" is not a valid day-of-week step`);
    let from: number;
    let to: number;
    if (rangeText === '*') {
      from = 0;
      to = 6;
    } else if (rangeText.includes('-')) {
      const [a, b] = rangeText.split('-') as [string, string];
      from = dayNumber(a, expression);
      to = dayNumber(b, expression);
      if (to === 0 && b.trim() === '7') to = 7;
    } else {
      from = dayNumber(rangeText, expression);
      to = stepText === undefined ? from : 6;
    }
    if (to < from) throw new CronConversionError(`"${expression}": day-of-week range "${rangeText}" runs backwards`);
    for (let day = from; day <= to; day += step) days.add(day % 7);
  }
  return compressDays([...days].sort((a, b) => a - b));
}

function dayNumber(text: string, expression: string): number {
  const upper = text.trim().toUpperCase();
  const byName = DAY_NAMES.indexOf(upper as (typeof DAY_NAMES)[number]);
  if (byName >= 0) return byName;
  if (/^[0-7]$/.test(upper)) return Number(upper) % 7;
  throw new CronConversionError(`"${expression}": "${text}" is not a day of the week (0-7 or SUN-SAT)`);
}

function compressDays(days: number[]): string {
  const parts: string[] = [];
  let start = 0;
  while (start < days.length) {
    let end = start;
    while (end + 1 < days.length && days[end + 1] === days[end]! + 1) end++;
    const first = DAY_NAMES[days[start]!]!;
    const last = DAY_NAMES[days[end]!]!;
    if (end === start) parts.push(first);
    else if (end === start + 1) parts.push(first, last);
    else parts.push(`${first}-${last}`);
    start = end + 1;
  }
  return parts.join(',');
}
