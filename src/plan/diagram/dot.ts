/**
 * A diagram as Graphviz DOT: groups become clusters, each kind of node has its own shape (so the picture reads
 * without colour), edges say their ports. Pure text; render-svg.ts lays it out.
 */
import type { Diagram, DiagramEdgeKind, DiagramGroup, DiagramNode, DiagramNodeKind } from './diagram.js';
import { formatMonthly } from './diagram.js';

/** Graphviz measures text with this font's metrics; render-svg.ts adds fallbacks of a similar width. */
export const FONT = 'DejaVu Sans';

const SHAPES: Record<DiagramNodeKind, { shape: string; fill: string; style?: string }> = {
  internet: { shape: 'ellipse', fill: '#eef3fb' },
  clients: { shape: 'ellipse', fill: '#eef3fb' },
  cdn: { shape: 'doubleoctagon', fill: '#e4effa' },
  'load-balancer': { shape: 'hexagon', fill: '#e4effa' },
  service: { shape: 'box3d', fill: '#e6f4ea' },
  database: { shape: 'cylinder', fill: '#fdf0e1' },
  cache: { shape: 'cylinder', fill: '#fbe9ee' },
  nat: { shape: 'octagon', fill: '#f1eefb' },
  endpoints: { shape: 'component', fill: '#f1eefb' },
  secrets: { shape: 'note', fill: '#fffbe6' },
  logs: { shape: 'tab', fill: '#f4f4f4' },
  alarms: { shape: 'tab', fill: '#f4f4f4' },
  registry: { shape: 'folder', fill: '#f4f4f4' },
  volume: { shape: 'cylinder', fill: '#f4f4f4' },
  charge: { shape: 'box', fill: '#ffffff', style: 'dashed' },
  other: { shape: 'box', fill: '#f4f4f4' },
};

const EDGE_STYLE: Record<DiagramEdgeKind, string> = {
  traffic: 'style=solid, penwidth=1.4',
  egress: 'style=dashed, constraint=false',
  uses: 'style=dotted, arrowhead=vee',
};

/** A DOT double-quoted string. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** An id usable in SVG and CSS selectors (Graphviz escapes "-"): "service:Service" -> "node_service_Service". */
export function svgId(prefix: string, id: string): string {
  return `${prefix}_${id.replace(/[^A-Za-z0-9]+/g, '_')}`;
}

export function nodeLabel(node: DiagramNode): string {
  const lines = [node.label, ...node.detail];
  if (node.monthly) lines.push(`${formatMonthly(node.monthly)}/month`);
  return lines.join('\n');
}

function nodeLine(node: DiagramNode): string {
  const look = SHAPES[node.kind];
  const style = ['filled', ...(look.style ? [look.style] : [])].join(',');
  return `${quote(node.id)} [id=${quote(svgId('node', node.id))}, class=${quote(`kind_${node.kind.replace(/-/g, '_')}`)}, label=${quote(nodeLabel(node))}, shape=${look.shape}, style=${quote(style)}, fillcolor=${quote(look.fill)}];`;
}

function clusterBody(diagram: Diagram, group: DiagramGroup, depth: number): string[] {
  const indent = '  '.repeat(depth);
  const lines = [
    `${indent}subgraph ${quote(`cluster_${group.id}`)} {`,
    `${indent}  id=${quote(svgId('group', group.id))}; label=${quote(group.label)}; style="rounded,dashed"; color="#777777"; fontsize=10; labeljust=l;`,
  ];
  for (const child of diagram.groups.filter((other) => other.parent === group.id)) lines.push(...clusterBody(diagram, child, depth + 1));
  for (const node of diagram.nodes.filter((item) => item.group === group.id)) lines.push(`${indent}  ${nodeLine(node)}`);
  lines.push(`${indent}}`);
  return lines;
}

export function diagramTitle(diagram: Diagram): string {
  const where = diagram.target === 'local' ? 'local Docker engine' : `AWS${diagram.region ? ` ${diagram.region}` : ''}`;
  const price = diagram.monthly ? ` · ${formatMonthly(diagram.monthly)} per month` : '';
  return `${diagram.app} · ${diagram.env} · ${where}${price}`;
}

export function diagramToDot(diagram: Diagram): string {
  const lines = [
    'digraph berth {',
    `  graph [rankdir=LR, fontname=${quote(FONT)}, fontsize=12, labelloc=t, labeljust=l, nodesep=0.35, ranksep=0.7, pad=0.2, bgcolor="white", label=${quote(diagramTitle(diagram))}];`,
    `  node [fontname=${quote(FONT)}, fontsize=10, color="#333333", margin="0.12,0.06"];`,
    `  edge [fontname=${quote(FONT)}, fontsize=9, color="#333333"];`,
  ];
  for (const group of diagram.groups.filter((item) => !item.parent)) lines.push(...clusterBody(diagram, group, 1));
  for (const node of diagram.nodes.filter((item) => !item.group)) lines.push(`  ${nodeLine(node)}`);
  for (const edge of diagram.edges) {
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [label=${quote(edge.label)}, class=${quote(`edge_${edge.kind}`)}, ${EDGE_STYLE[edge.kind]}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
