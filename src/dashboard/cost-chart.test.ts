import { describe, expect, it } from 'vitest';
import type { Diagram, DiagramNode } from '../plan/diagram/diagram.js';
import { costChart, costChartSvg } from './cost-chart.js';

function node(id: string, concern: DiagramNode['concern'], min: number, max = min): DiagramNode {
  return { id, kind: 'other', label: id, detail: [], concern, monthly: { min, max }, prices: [], side: false };
}

function diagram(nodes: DiagramNode[]): Diagram {
  return { app: 'a', env: 'prod', target: 'aws', nodes, groups: [], edges: [], unpriced: [] };
}

describe('cost chart', () => {
  it('stacks by concern, with a minimum and a maximum bar when services autoscale', () => {
    const chart = costChart(diagram([node('web', 'service', 36.04, 180.2), node('worker', 'service', 7.3, 36.5), node('lb', 'load balancer', 29.57), node('db', 'database', 27.96), node('free', 'network', 0)]));
    expect(chart.bars.map((bar) => [bar.label, bar.total])).toEqual([['minimum', 100.87], ['maximum', 274.23]]);
    expect(chart.bars[1]!.segments).toEqual([
      { concern: 'service', amount: 216.7 },
      { concern: 'load balancer', amount: 29.57 },
      { concern: 'database', amount: 27.96 },
    ]);
  });

  it('draws one bar when nothing scales, one rect per segment, and a title with the totals', () => {
    const chart = costChart(diagram([node('web', 'service', 20), node('lb', 'load balancer', 10)]));
    expect(chart.bars.map((bar) => bar.label)).toEqual(['monthly']);
    const svg = costChartSvg(chart);
    expect(svg.match(/class="cost-segment"/g)).toHaveLength(2);
    expect(svg).toContain('<title id="cost-chart-title">Monthly cost by concern: monthly $30.00</title>');
    expect(svg).not.toContain('style=');
  });
});
