/**
 * How the shared load balancer picks a web service (pure): listener rules for the services with a `path` or `host`
 * route, in a fixed priority order, and a default action for every other request — the web service without a route,
 * or a fixed 404 when every web service has one.
 */
import type { ResolvedConfig, WebServiceSpec } from '../../config/model.js';
import { webServices } from '../../model/index.js';

export interface ListenerRoute {
  service: string;
  /** ALB rule priority: lower is evaluated first. */
  priority: number;
  host?: string;
  path?: string;
}

export interface ListenerRouting {
  /** The web service answering requests no rule matches; undefined: a fixed 404. */
  defaultService?: string;
  rules: ListenerRoute[];
}

/** Rules are `PRIORITY_STEP` apart, so the order is plain to read in the console. */
export const PRIORITY_STEP = 10;

function specificity(service: WebServiceSpec): [number, number, number] {
  const { host, path } = service.route;
  // host and path, then host only, then path only; exact hosts before wildcards; longer patterns first.
  const group = host !== undefined && path !== undefined ? 0 : host !== undefined ? 1 : 2;
  const wildcardHost = host?.startsWith('*.') ? 1 : 0;
  return [group, wildcardHost, -((host?.length ?? 0) + (path?.length ?? 0))];
}

/**
 * The rule order: host and path before host only before path only; within each, exact hosts before wildcard hosts
 * and longer patterns before shorter ones (so /api/v2/* wins over /api/*); then berth.yml's order.
 */
export function listenerRouting(config: Pick<ResolvedConfig, 'services'>): ListenerRouting {
  const web = webServices(config).filter((service) => service.loadBalancer);
  const routed = web
    .map((service, order) => ({ service, order, key: specificity(service) }))
    .filter(({ service }) => service.route.host !== undefined || service.route.path !== undefined)
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.order - b.order);
  const fallback = web.find((service) => service.route.host === undefined && service.route.path === undefined);
  return {
    ...(fallback ? { defaultService: fallback.name } : {}),
    rules: routed.map(({ service }, index) => ({
      service: service.name,
      priority: (index + 1) * PRIORITY_STEP,
      ...(service.route.host !== undefined ? { host: service.route.host } : {}),
      ...(service.route.path !== undefined ? { path: service.route.path } : {}),
    })),
  };
}

/** One line per rule for `berth plan`: "10  host api.example.com  -> api". */
export function describeRouting(routing: ListenerRouting): string[] {
  const lines = routing.rules.map((rule) => `${rule.priority}  ${[rule.host ? `host ${rule.host}` : '', rule.path ? `path ${rule.path}` : ''].filter(Boolean).join(' and ')}  -> ${rule.service}`);
  lines.push(`default  -> ${routing.defaultService ?? 'fixed 404 (every web service has a route)'}`);
  return lines;
}
