/**
 * One field of a cron expression as a set of values: `*`, `?`, lists, ranges, steps and names (JAN, MON). The one
 * field parser behind the local job scheduler's five-field UTC cron (plan/local/job-timing.ts) and the cost of
 * Application Auto Scaling's six-field cron() schedules (plan/cost/schedule.ts). Pure; throws on what it cannot read.
 */
export const CRON_MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
export const CRON_DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** The values of `text` between `low` and `high`; `names[i]` stands for `nameBase + i`. */
export function parseCronField(text: string, low: number, high: number, names: readonly string[] = [], nameBase = low): Set<number> {
  const values = new Set<number>();
  const atom = (part: string): number => {
    const named = names.indexOf(part.toUpperCase());
    if (named >= 0) return named + nameBase;
    if (!/^\d+$/.test(part)) throw new Error(`"${part}" is not supported in this cron field`);
    const value = Number(part);
    if (value < low || value > high) throw new Error(`${value} is outside ${low}-${high}`);
    return value;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`step "${stepText}" is not a positive number`);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      from = low;
      to = high;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = atom(a);
      to = atom(b);
    } else {
      from = atom(range);
      to = stepText === undefined ? from : high;
    }
    if (to < from) throw new Error(`range "${range}" runs backwards`);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}
