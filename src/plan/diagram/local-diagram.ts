/**
 * The diagram of the local environment from its plan (src/plan/local): this machine -> berth's load balancer
 * -> the app's replicas -> PostgreSQL / Redis containers and their volumes, on one Docker network. Pure.
 */
import type { LocalPlan, ReplicaSpec } from '../local/local-plan.js';
import type { Diagram, DiagramEdge, DiagramNode } from './diagram.js';

/** The replica groups of a plan: one today (the app's service); the list leaves room for many services. */
function replicaGroups(plan: LocalPlan): Array<{ name: string; count: number; spec: ReplicaSpec }> {
  return [{ name: plan.app, count: plan.replicas.count, spec: plan.replicas.spec }];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function diagramFromLocalPlan(plan: LocalPlan): Diagram {
  const network = `network:${plan.network.name}`;
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const add = (node: Omit<DiagramNode, 'prices' | 'side'> & { side?: boolean }): DiagramNode => {
    const made: DiagramNode = { ...node, side: node.side ?? false, prices: [] };
    nodes.push(made);
    return made;
  };
  const you = add({ id: 'clients', kind: 'clients', label: 'This machine', detail: ['browser, curl, tests'], concern: 'network' });
  const balancer = add({
    id: 'load-balancer:balancer',
    kind: 'load-balancer',
    label: 'Load balancer',
    detail: [`berth's balancer process, ${plan.url}`, `GET ${plan.balancer.health.path} every ${plan.balancer.health.interval}s`, ...(plan.balancer.stickySeconds ? [`sticky sessions ${plan.balancer.stickySeconds}s`] : [])],
    concern: 'load balancer',
  });
  edges.push({ from: you.id, to: balancer.id, label: `http ${plan.balancer.port}`, kind: 'traffic' });
  for (const group of replicaGroups(plan)) {
    const cpu = group.spec.nanoCpus / 1e9;
    const service = add({
      id: `service:${group.name}`,
      kind: 'service',
      label: group.name,
      detail: [
        `${plural(group.count, 'replica')} of ${group.spec.image}`,
        `${Number(cpu.toFixed(2))} vCPU · ${group.spec.memoryBytes / 1024 / 1024} MiB each`,
        `container port ${group.spec.port}, published on 127.0.0.1`,
      ],
      group: network,
      concern: 'service',
    });
    edges.push({ from: balancer.id, to: service.id, label: `tcp ${group.spec.port}`, kind: 'traffic' });
    if (group.spec.secretNames.length > 0) {
      const secrets = nodes.find((node) => node.id === 'secrets') ?? add({
        id: 'secrets',
        kind: 'secrets',
        label: 'Local secrets',
        detail: [`${plural(group.spec.secretNames.length, 'secret')}: ${group.spec.secretNames.join(', ')}`, 'a 0600 file outside the repository'],
        concern: 'secrets',
        side: true,
      });
      edges.push({ from: service.id, to: secrets.id, label: 'injected at start', kind: 'uses' });
    }
    for (const dependency of plan.dependencies) {
      edges.push({ from: service.id, to: `${dependency.role}:${dependency.name}`, label: `tcp ${dependency.port}`, kind: 'traffic' });
    }
  }
  for (const dependency of plan.dependencies) {
    const node = add({
      id: `${dependency.role}:${dependency.name}`,
      kind: dependency.role,
      label: dependency.engine === 'postgres' ? 'PostgreSQL' : 'Redis',
      detail: [dependency.name, dependency.image, `port ${dependency.port} inside the network`],
      group: network,
      concern: dependency.role,
    });
    const volume = add({
      id: `volume:${dependency.volume.name}`,
      kind: 'volume',
      label: dependency.volume.name,
      detail: ['Docker volume, kept by `berth destroy` without --purge'],
      concern: dependency.role,
      side: true,
    });
    edges.push({ from: node.id, to: volume.id, label: `mounted at ${dependency.volume.mountPath}`, kind: 'uses' });
  }
  // Dependencies are drawn after the services; keep the edge list in node order for stable output.
  const order = new Map(nodes.map((node, index) => [node.id, index]));
  edges.sort((a, b) => (order.get(a.from)! - order.get(b.from)!) || (order.get(a.to)! - order.get(b.to)!));
  return {
    app: plan.app,
    env: plan.env,
    target: 'local',
    nodes,
    groups: [{ id: network, label: `Docker network ${plan.network.name}` }],
    edges,
    unpriced: [],
    note: 'Runs on your Docker engine: no AWS cost.',
  };
}
