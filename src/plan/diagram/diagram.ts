/**
 * An architecture diagram as data: nodes (each with its monthly price on AWS), groups (VPC, subnets, the
 * Docker network) and edges (who may talk to whom, on which ports). Built from the synthesized templates
 * (aws-diagram.ts) or the local plan (local-diagram.ts); drawn by dot.ts + render-svg.ts; shown as a table
 * by the UI. Pure data: no I/O.
 */
import type { MonthlyRange } from '../cost/price-template.js';

/** What a node stands for; also decides its shape, so the picture reads without colour. */
export type DiagramNodeKind =
  | 'internet'
  | 'clients'
  | 'cdn'
  | 'load-balancer'
  | 'service'
  | 'database'
  | 'cache'
  | 'nat'
  | 'endpoints'
  | 'secrets'
  | 'logs'
  | 'alarms'
  | 'registry'
  | 'volume'
  | 'charge'
  | 'other';

/** The concern a node's cost belongs to (the stacked bars of the cost chart). */
export type DiagramConcern =
  | 'service'
  | 'load balancer'
  | 'database'
  | 'cache'
  | 'network'
  | 'secrets'
  | 'observability'
  | 'registry'
  | 'data transfer'
  | 'other';

export interface DiagramNode {
  /** Stable within one diagram, e.g. "service:Service", "database:DatabaseInstance". */
  id: string;
  kind: DiagramNodeKind;
  label: string;
  /** Short facts, one per line: "2–10 tasks", "0.5 vCPU · 1 GB · x86_64". */
  detail: string[];
  /** The group the node sits in (a subnet tier, the VPC, the Docker network); absent: outside every group. */
  group?: string;
  concern: DiagramConcern;
  /** Monthly price on AWS (the sum of `prices`); absent when not priced (local, or no price data). */
  monthly?: MonthlyRange;
  /** The `berth cost` lines this node carries: resource name and amount. */
  prices: Array<{ resource: string; monthly: MonthlyRange; basis: string }>;
  /** A node beside the main flow (secrets, logs, alarms, registry, usage charges). */
  side: boolean;
}

export interface DiagramGroup {
  id: string;
  label: string;
  parent?: string;
}

export type DiagramEdgeKind = 'traffic' | 'egress' | 'uses';

export interface DiagramEdge {
  from: string;
  to: string;
  /** Ports from the security-group rules ("tcp 80"), or what the link is ("reads", "writes logs"). */
  label: string;
  kind: DiagramEdgeKind;
}

export interface Diagram {
  app: string;
  env: string;
  target: 'aws' | 'local';
  nodes: DiagramNode[];
  groups: DiagramGroup[];
  edges: DiagramEdge[];
  /** The priced total (equal to `berth cost`'s total); absent for local. */
  monthly?: MonthlyRange;
  currency?: 'USD';
  region?: string;
  /** Resources berth could not price, by name: they are on the picture without a price. */
  unpriced: string[];
  /** A sentence under the picture (e.g. "runs on your Docker engine: no AWS cost"). */
  note?: string;
}

/** "$16.43" or "$36.04–$180.20". */
export function formatMonthly(range: MonthlyRange): string {
  const one = (amount: number) => `$${amount.toFixed(2)}`;
  return range.min === range.max ? one(range.max) : `${one(range.min)}–${one(range.max)}`;
}

/** The facts of a diagram as a flat list, for golden tests and the UI's table. */
export function diagramFacts(diagram: Diagram): { nodes: string[]; edges: string[] } {
  const groups = new Map(diagram.groups.map((group) => [group.id, group]));
  const where = (id?: string): string => {
    const path: string[] = [];
    for (let group = id ? groups.get(id) : undefined; group; group = group.parent ? groups.get(group.parent) : undefined) path.unshift(group.label);
    return path.join(' > ');
  };
  const byId = new Map(diagram.nodes.map((node) => [node.id, node]));
  return {
    nodes: diagram.nodes.map((node) => {
      const place = where(node.group);
      const price = node.monthly ? ` ${formatMonthly(node.monthly)}` : '';
      return `${node.kind} ${node.label}${place ? ` [${place}]` : ''}${price}`;
    }),
    edges: diagram.edges.map((edge) => `${byId.get(edge.from)?.label ?? edge.from} -> ${byId.get(edge.to)?.label ?? edge.to}: ${edge.label} (${edge.kind})`),
  };
}
