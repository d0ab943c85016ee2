import { describe, expect, it } from 'vitest';
import type { Diagram } from './diagram.js';
import { diagramToDot, quote } from './dot.js';
import { inlineSvg, renderDiagramSvg } from './render-svg.js';

const diagram: Diagram = {
  app: 'shop',
  env: 'prod',
  target: 'aws',
  region: 'us-east-1',
  monthly: { min: 10, max: 20 },
  currency: 'USD',
  unpriced: [],
  groups: [{ id: 'vpc:V', label: 'VPC 10.0.0.0/16' }, { id: 'subnets:public:V', label: 'public subnets, 2 AZs', parent: 'vpc:V' }],
  nodes: [
    { id: 'internet', kind: 'internet', label: 'Internet', detail: [], concern: 'data transfer', prices: [], side: false },
    { id: 'service:Service', kind: 'service', label: 'Service', detail: ['1–2 tasks'], group: 'subnets:public:V', concern: 'service', prices: [], side: false, monthly: { min: 10, max: 20 } },
  ],
  edges: [{ from: 'internet', to: 'service:Service', label: 'tcp 80', kind: 'traffic' }],
};

describe('diagram drawing', () => {
  it('quotes DOT strings', () => {
    expect(quote('a "b"\\c\nd')).toBe('"a \\"b\\"\\\\c\\nd"');
  });

  it('nests groups as clusters and puts the price in the node label', () => {
    const dot = diagramToDot(diagram);
    expect(dot).toMatch(/subgraph "cluster_vpc:V" \{[\s\S]*subgraph "cluster_subnets:public:V" \{[\s\S]*"service:Service" \[id="node_service_Service"/);
    expect(dot).toContain('label="Service\\n1–2 tasks\\n$10.00–$20.00/month"');
    expect(dot).toContain('"internet" -> "service:Service" [label="tcp 80"');
  });

  it('renders an SVG with one element per node, an accessible title and the facts as its description', async () => {
    const svg = await renderDiagramSvg(diagram);
    expect(svg).toMatch(/<svg[^>]*role="img"/);
    expect(svg).toContain('<title id="diagram-title">Architecture: shop · prod · AWS us-east-1 · $10.00–$20.00 per month</title>');
    expect(svg).toContain('id="node_service_Service"');
    expect(svg).toContain('id="node_internet"');
    expect(svg).toContain('Internet -&gt; Service: tcp 80 (traffic)');
    expect(inlineSvg(svg).startsWith('<svg')).toBe(true);
  });
});
