/**
 * The diagram of the local environment from its plan (src/plan/local): this machine -> berth's load balancer
 * -> each service's replicas (web services by their route; workers and jobs beside them) -> PostgreSQL / Redis
 * containers and their volumes, on one Docker network. Pure.
 */
import type { ContainerSpec, LocalPlan } from '../local/local-plan.js';
import type { Diagram, DiagramEdge, DiagramNode } from './diagram.js';

interface ServiceGroup {
  /** The service's name (the app's name when it is the only one, as berth.yml's `service:` reads). */
  name: string;
  kind: 'web' | 'worker' | 'job';
  spec: ContainerSpec;
  detail: string[];
  /** Web: the container port and how the balancer picks it. */
  port?: number;
  route?: string;
}

function serviceGroups(plan: LocalPlan): ServiceGroup[] {
  const only = plan.services.length + plan.jobs.length === 1;
  const rules = plan.balancer?.routing.rules ?? [];
  const groups: ServiceGroup[] = plan.services.map((service) => {
    const cpu = Number((service.container.nanoCpus / 1e9).toFixed(2));
    const size = `${cpu} vCPU · ${service.container.memoryBytes / 1024 / 1024} MiB each`;
    if (service.kind === 'web') {
      const rule = rules.find((entry) => entry.service === service.name);
      const route = rule ? [rule.host ? `host ${rule.host}` : '', rule.path ? `path ${rule.path}` : ''].filter(Boolean).join(' and ') : undefined;
      return { name: only ? plan.app : service.name, kind: 'web', spec: service.container, port: service.port, ...(route ? { route } : {}), detail: [`${plural(service.count, 'replica')} of ${service.container.image}`, size, `container port ${service.port}, published on 127.0.0.1`] };
    }
    return { name: service.name, kind: 'worker', spec: service.container, detail: [`${plural(service.count, 'worker')} of ${service.container.image}`, size, service.health ? `health: ${service.health.command.join(' ')}` : 'healthy while it keeps running'] };
  });
  for (const job of plan.jobs) {
    const schedule = job.schedule.kind === 'cron' ? `cron ${job.schedule.cron} (UTC)` : `every ${job.schedule.value} ${job.schedule.unit}${job.schedule.value === 1 ? '' : 's'}`;
    groups.push({ name: job.name, kind: 'job', spec: job.container, detail: [`job: ${schedule}`, `a throw-away container of ${job.container.image} per run`, `stopped after ${job.timeout}s`] });
  }
  return groups;
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
  const web = plan.services.filter((service) => service.kind === 'web');
  const firstWeb = web[0]?.kind === 'web' ? web[0] : undefined;
  const balancer = plan.balancer && firstWeb ? add({
    id: 'load-balancer:balancer',
    kind: 'load-balancer',
    label: 'Load balancer',
    detail: web.length === 1
      ? [`berth's balancer process, ${plan.url}`, `GET ${firstWeb.health.path} every ${firstWeb.health.interval}s`, ...(firstWeb.stickySeconds ? [`sticky sessions ${firstWeb.stickySeconds}s`] : [])]
      : [`berth's balancer process, ${plan.url}`, `routes by path and host to ${plural(web.length, 'web service')}`],
    concern: 'load balancer',
  }) : undefined;
  if (balancer && plan.balancer) edges.push({ from: you.id, to: balancer.id, label: `http ${plan.balancer.port}`, kind: 'traffic' });
  for (const group of serviceGroups(plan)) {
    const service = add({
      id: `service:${group.name}`,
      kind: 'service',
      label: group.name,
      detail: group.detail,
      group: network,
      concern: 'service',
    });
    if (balancer && group.port !== undefined) edges.push({ from: balancer.id, to: service.id, label: `tcp ${group.port}${group.route ? ` (${group.route})` : ''}`, kind: 'traffic' });
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
