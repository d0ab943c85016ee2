/** How `berth cost` shows an estimate: a table for people, one JSON document for scripts. */
import type { MonthlyRange, PriceLine } from '../../plan/cost/price-template.js';
import { cents } from '../../plan/cost/price-template.js';
import { HOURS_PER_MONTH } from '../../plan/cost/price-table.js';
import type { UsageAssumptions } from '../../plan/cost/usage.js';
import { USAGE_FLAGS } from '../../plan/cost/usage.js';
import { formatTable, paint } from '../output.js';
import type { EnvironmentCost } from './cost-estimate.js';

export function money(amount: number): string {
  const sign = amount < 0 ? '−' : '';
  return `${sign}$${Math.abs(amount).toFixed(2)}`;
}

export function moneyRange(range: MonthlyRange): string {
  return range.min === range.max ? money(range.max) : `${money(range.min)}–${money(range.max)}`;
}

function difference(after: MonthlyRange, before: MonthlyRange): MonthlyRange {
  return { min: cents(after.min - before.min), max: cents(after.max - before.max) };
}

function signed(range: MonthlyRange): string {
  const one = (amount: number) => (amount > 0 ? `+${money(amount)}` : money(amount));
  return range.min === range.max ? one(range.max) : `${one(range.min)} to ${one(range.max)}`;
}

function shortType(type: string): string {
  return type.replace(/^AWS::/, '');
}

function assumptionsText(usage: UsageAssumptions): string {
  const parts = [
    `${usage.lcus} LCU per hour (${USAGE_FLAGS.lcus.flag})`,
    `${usage.logsGb} GB logs/month (${USAGE_FLAGS.logsGb.flag})`,
    `${usage.egressGb} GB out/month (${USAGE_FLAGS.egressGb.flag})`,
    `${usage.natGb} GB through NAT/month (${USAGE_FLAGS.natGb.flag})`,
    `${usage.ecrGb} GB of images (${USAGE_FLAGS.ecrGb.flag})`,
  ];
  return `${HOURS_PER_MONTH} h/month; ${parts.join(', ')}`;
}

/** The full text report of one environment. */
export function describeCost(cost: EnvironmentCost, app: string): string {
  const { estimate } = cost;
  const lines: string[] = [];
  lines.push(`${paint('bold', `${app} · ${cost.env}`)} · ${estimate.region} · USD per month, before any free tier`);
  lines.push('');
  const rows = estimate.items.map((item) => [item.resource, shortType(item.type), moneyRange(item.monthly), item.basis]);
  lines.push(formatTable(['RESOURCE', 'TYPE', 'MONTHLY', 'BASIS'], rows));
  lines.push('');
  const spread = estimate.monthly.min === estimate.monthly.max ? '' : ' (minimum–maximum task count)';
  lines.push(`${paint('bold', 'Total')}  ${paint('bold', moneyRange(estimate.monthly))} per month${spread}`);
  if (cost.services.length > 1) {
    lines.push('');
    lines.push(`${paint('bold', 'By service')} (each service's own tasks, runs and schedule; the load balancer, database, cache, logs and alarms are shared):`);
    for (const service of cost.services) lines.push(`  ${service.name.padEnd(Math.max(...cost.services.map((s) => s.name.length)))}  ${service.kind.padEnd(6)}  ${moneyRange(service.monthly)}`);
  }
  if (estimate.deployNotes.length > 0) {
    lines.push('');
    lines.push(`${paint('bold', 'Per deploy')} (blue-green and canary; not a monthly line, not in the total):`);
    for (const note of estimate.deployNotes) lines.push(`  ${note.resource}  ${moneyRange(note.perDeploy)} per deploy: ${note.basis}`);
  }
  if (estimate.unpriced.length > 0) {
    lines.push('');
    lines.push(paint('yellow', `Not priced (${estimate.unpriced.length}), not in the total:`));
    for (const item of estimate.unpriced) lines.push(`  ${item.resource}  ${shortType(item.type)}: ${item.reason}`);
  }
  if (cost.savings.length > 0) {
    lines.push('');
    lines.push(paint('bold', 'Could save:'));
    for (const saving of cost.savings) {
      lines.push(`  ${moneyRange(saving.monthly)}/month  ${saving.change} -> ${moneyRange(saving.after)}`);
      lines.push(`    ${paint('dim', `${saving.config}; ${saving.caveat}`)}`);
    }
  }
  lines.push('');
  lines.push(paint('dim', `Assumed: ${assumptionsText(estimate.assumptions)}.`));
  lines.push(paint('dim', `Prices: data/prices/${estimate.region}.json, recorded ${cost.pricesRecorded.from === cost.pricesRecorded.to ? cost.pricesRecorded.to : `${cost.pricesRecorded.from} to ${cost.pricesRecorded.to}`}; region from ${cost.regionFrom}.`));
  return lines.join('\n');
}

/** Totals by resource type for two estimates side by side. */
export function describeComparison(left: EnvironmentCost, right: EnvironmentCost): string {
  const byType = (items: readonly PriceLine[]) => {
    const totals = new Map<string, MonthlyRange>();
    for (const item of items) {
      const total = totals.get(item.type) ?? { min: 0, max: 0 };
      totals.set(item.type, { min: cents(total.min + item.monthly.min), max: cents(total.max + item.monthly.max) });
    }
    return totals;
  };
  const a = byType(left.estimate.items);
  const b = byType(right.estimate.items);
  const types = [...new Set([...a.keys(), ...b.keys()])];
  const zero = { min: 0, max: 0 };
  const rows = types.map((type) => [shortType(type), moneyRange(a.get(type) ?? zero), moneyRange(b.get(type) ?? zero), signed(difference(b.get(type) ?? zero, a.get(type) ?? zero))]);
  rows.push(['Total', moneyRange(left.estimate.monthly), moneyRange(right.estimate.monthly), signed(difference(right.estimate.monthly, left.estimate.monthly))]);
  return formatTable(['TYPE', left.env, right.env, 'DIFFERENCE'], rows);
}

/** What changes with --what-if: the lines that differ and the totals. */
export function describeWhatIf(before: EnvironmentCost, after: EnvironmentCost, overrides: readonly string[]): string {
  const key = (item: PriceLine) => `${item.type}|${item.resource}`;
  const old = new Map(before.estimate.items.map((item) => [key(item), item]));
  const fresh = new Map(after.estimate.items.map((item) => [key(item), item]));
  const rows: string[][] = [];
  for (const k of new Set([...old.keys(), ...fresh.keys()])) {
    const was = old.get(k);
    const now = fresh.get(k);
    if (was && now && was.monthly.min === now.monthly.min && was.monthly.max === now.monthly.max) continue;
    const item = (now ?? was)!;
    rows.push([item.resource, was ? moneyRange(was.monthly) : '—', now ? moneyRange(now.monthly) : '—', now?.basis ?? 'removed']);
  }
  const lines = [`With ${overrides.join(', ')}:`, ''];
  lines.push(rows.length > 0 ? formatTable(['RESOURCE', 'NOW', 'WHAT IF', 'BASIS'], rows) : 'no priced line changes');
  lines.push('');
  lines.push(`Total  ${moneyRange(before.estimate.monthly)} -> ${paint('bold', moneyRange(after.estimate.monthly))} per month (${signed(difference(after.estimate.monthly, before.estimate.monthly))})`);
  return lines.join('\n');
}

/** The `--json` document (see docs/json-output.md, "berth cost"). */
export function costToJson(cost: EnvironmentCost) {
  const { estimate } = cost;
  return {
    env: cost.env,
    region: estimate.region,
    stack: cost.stack,
    monthly: estimate.monthly,
    currency: estimate.currency,
    items: estimate.items.map((item) => ({ resource: item.resource, type: item.type, monthly: item.monthly, basis: item.basis, stack: item.stack })),
    unpriced: estimate.unpriced,
    deployNotes: estimate.deployNotes,
    assumptions: { ...estimate.assumptions, regionFrom: cost.regionFrom, prices: `data/prices/${estimate.region}.json`, pricesRecorded: cost.pricesRecorded },
    savings: cost.savings,
    services: cost.services,
  };
}

export function differenceJson(after: MonthlyRange, before: MonthlyRange): MonthlyRange {
  return difference(after, before);
}

/** The line `berth plan` ends its summary with. */
export function describePlanCost(cost: { monthly: MonthlyRange; region: string; regionFrom?: string; unpriced: number } | { unavailable: string }, env: string): string {
  if ('unavailable' in cost) return `${paint('bold', 'Monthly cost')}  not estimated: ${cost.unavailable}`;
  const unpriced = cost.unpriced > 0 ? `, ${cost.unpriced} resource(s) not priced` : '';
  const from = cost.regionFrom ? ` (region from ${cost.regionFrom})` : '';
  return `${paint('bold', 'Monthly cost')}  ${moneyRange(cost.monthly)} in ${cost.region}${from} at the default usage assumptions${unpriced} (details: berth cost --env ${env})`;
}
