/**
 * The cost chart: one stacked bar per task count (minimum and, for autoscaled services, maximum), split by
 * concern, drawn as SVG by hand (no library). Each concern has its own fill pattern as well as its colour, and
 * the same numbers are given as a table, so the chart reads without colour. Pure.
 */
import type { MonthlyRange } from '../plan/cost/price-template.js';
import { cents } from '../plan/cost/price-template.js';
import type { Diagram, DiagramConcern } from '../plan/diagram/diagram.js';
import { escapeHtml } from './html.js';

export const CONCERN_ORDER: DiagramConcern[] = ['service', 'load balancer', 'database', 'cache', 'network', 'secrets', 'observability', 'registry', 'data transfer', 'other'];

const LOOK: Record<DiagramConcern, { colour: string; pattern: 'solid' | 'diagonal' | 'dots' | 'cross' | 'vertical' | 'horizontal' }> = {
  service: { colour: '#2e7d32', pattern: 'solid' },
  'load balancer': { colour: '#1565c0', pattern: 'diagonal' },
  database: { colour: '#ef6c00', pattern: 'dots' },
  cache: { colour: '#ad1457', pattern: 'cross' },
  network: { colour: '#6a1b9a', pattern: 'vertical' },
  secrets: { colour: '#9e9d24', pattern: 'horizontal' },
  observability: { colour: '#546e7a', pattern: 'diagonal' },
  registry: { colour: '#795548', pattern: 'dots' },
  'data transfer': { colour: '#00838f', pattern: 'cross' },
  other: { colour: '#757575', pattern: 'vertical' },
};

export interface CostBar {
  /** "minimum" / "maximum", or "monthly" when both are the same. */
  label: string;
  total: number;
  segments: Array<{ concern: DiagramConcern; amount: number }>;
}

export interface CostChart {
  bars: CostBar[];
  /** Per concern: the monthly range. */
  byConcern: Array<{ concern: DiagramConcern; monthly: MonthlyRange }>;
}

export function costChart(diagram: Diagram): CostChart {
  const totals = new Map<DiagramConcern, MonthlyRange>();
  for (const node of diagram.nodes) {
    if (!node.monthly) continue;
    const was = totals.get(node.concern) ?? { min: 0, max: 0 };
    totals.set(node.concern, { min: cents(was.min + node.monthly.min), max: cents(was.max + node.monthly.max) });
  }
  const byConcern = CONCERN_ORDER.filter((concern) => totals.has(concern)).map((concern) => ({ concern, monthly: totals.get(concern)! }));
  const bar = (label: string, pick: 'min' | 'max'): CostBar => ({
    label,
    total: cents(byConcern.reduce((sum, entry) => sum + entry.monthly[pick], 0)),
    segments: byConcern.map((entry) => ({ concern: entry.concern, amount: entry.monthly[pick] })).filter((segment) => segment.amount > 0),
  });
  const scales = byConcern.some((entry) => entry.monthly.min !== entry.monthly.max);
  return { bars: scales ? [bar('minimum', 'min'), bar('maximum', 'max')] : [bar('monthly', 'min')], byConcern };
}

function patternDefs(): string {
  const defs = CONCERN_ORDER.map((concern, index) => {
    const { colour, pattern } = LOOK[concern];
    const id = `fill-${index}`;
    const marks: Record<typeof pattern, string> = {
      solid: '',
      diagonal: '<path d="M0 8 L8 0" stroke="white" stroke-width="1.6"/>',
      dots: '<circle cx="4" cy="4" r="1.6" fill="white"/>',
      cross: '<path d="M0 0 L8 8 M8 0 L0 8" stroke="white" stroke-width="1.2"/>',
      vertical: '<path d="M4 0 L4 8" stroke="white" stroke-width="1.6"/>',
      horizontal: '<path d="M0 4 L8 4" stroke="white" stroke-width="1.6"/>',
    };
    return `<pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${colour}"/>${marks[pattern]}</pattern>`;
  });
  return `<defs>${defs.join('')}</defs>`;
}

function money(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** The chart as SVG: bars with their totals, then a legend with each concern's pattern. */
export function costChartSvg(chart: CostChart): string {
  const width = 720;
  const left = 90;
  const right = 90;
  const barHeight = 30;
  const gap = 14;
  const maxTotal = Math.max(...chart.bars.map((bar) => bar.total), 0.01);
  const scale = (width - left - right) / maxTotal;
  const legendTop = chart.bars.length * (barHeight + gap) + 10;
  const legendRows = Math.ceil(chart.byConcern.length / 3);
  const height = legendTop + legendRows * 22 + 6;
  const parts: string[] = [];
  chart.bars.forEach((bar, row) => {
    const y = row * (barHeight + gap) + 4;
    parts.push(`<text x="${left - 8}" y="${y + barHeight / 2 + 4}" text-anchor="end" font-size="12">${escapeHtml(bar.label)}</text>`);
    let x = left;
    for (const segment of bar.segments) {
      const w = Math.max(segment.amount * scale, 1);
      const index = CONCERN_ORDER.indexOf(segment.concern);
      parts.push(`<rect class="cost-segment" data-concern="${escapeHtml(segment.concern)}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="url(#fill-${index})" stroke="white" stroke-width="1"><title>${escapeHtml(`${bar.label}: ${segment.concern} ${money(segment.amount)}`)}</title></rect>`);
      if (w > 70) parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${y + barHeight / 2 + 4}" text-anchor="middle" font-size="11" fill="white" stroke="black" stroke-width="2.5" paint-order="stroke">${escapeHtml(segment.concern)}</text>`);
      x += w;
    }
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + barHeight / 2 + 4}" font-size="12" font-weight="bold">${money(bar.total)}</text>`);
  });
  chart.byConcern.forEach((entry, index) => {
    const column = index % 3;
    const row = Math.floor(index / 3);
    const x = left + column * 200;
    const y = legendTop + row * 22;
    parts.push(`<rect x="${x}" y="${y}" width="14" height="14" fill="url(#fill-${CONCERN_ORDER.indexOf(entry.concern)})" stroke="#333" stroke-width="0.5"/><text x="${x + 20}" y="${y + 11}" font-size="11">${escapeHtml(entry.concern)}</text>`);
  });
  const title = chart.bars.map((bar) => `${bar.label} ${money(bar.total)}`).join(', ');
  return `<svg class="cost-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="cost-chart-title"><title id="cost-chart-title">${escapeHtml(`Monthly cost by concern: ${title}`)}</title>${patternDefs()}${parts.join('')}</svg>`;
}
