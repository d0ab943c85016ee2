/**
 * Which web service a request goes to, with the matching semantics of ALB listener rules: a rule has a path
 * pattern, a host pattern or both (both must match); `*` matches any run of characters (also none, also `/`),
 * `?` exactly one; the path is compared case-sensitively without the query string, the host case-insensitively
 * without the port. Rules are tried in priority order — berth.yml's order, as on AWS — and the first that matches
 * wins; otherwise the web service without a route answers (the listener's default action); with none, 404.
 */
import type { ResolvedConfig, WebRoute } from '../../config/model.js';
import { webServices } from '../../model/services.js';
import { regexpLiteral } from '../../text/regexp-literal.js';

export interface RouteRule {
  service: string;
  /** 1, 2, 3, ... in berth.yml's order (the ALB listener rule priority). */
  priority: number;
  path?: string;
  host?: string;
}

export interface RoutingTable {
  rules: RouteRule[];
  /** The web service without a path or host route; undefined when every web service has one (then: 404). */
  defaultService?: string;
}

/** The routing table of an environment's web services. */
export function routingTable(config: Pick<ResolvedConfig, 'services'>): RoutingTable {
  const web = webServices(config);
  const routed = web.filter((service) => service.route.path !== undefined || service.route.host !== undefined);
  const rules = routed.map((service, index): RouteRule => ({ service: service.name, priority: index + 1, ...routeFields(service.route) }));
  const fallback = web.find((service) => service.route.path === undefined && service.route.host === undefined);
  return { rules, ...(fallback ? { defaultService: fallback.name } : {}) };
}

function routeFields(route: WebRoute): Pick<RouteRule, 'path' | 'host'> {
  return { ...(route.path !== undefined ? { path: route.path } : {}), ...(route.host !== undefined ? { host: route.host } : {}) };
}

const compiled = new Map<string, RegExp>();

/** An ALB wildcard pattern as an anchored regular expression (`*` any run, `?` one character, the rest literal). */
export function wildcardPattern(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    const source = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : regexpLiteral(char))).join('');
    regex = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, regex);
  }
  return regex;
}

/** The path of a request target, without the query string (`/api/x?y=1` -> `/api/x`). */
export function requestPath(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** The host name of a Host header, lowercased and without the port (`API.example.com:8080` -> `api.example.com`). */
export function requestHost(header: string | undefined): string {
  const value = (header ?? '').trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

export function ruleMatches(rule: RouteRule, host: string, path: string): boolean {
  if (rule.path !== undefined && !wildcardPattern(rule.path, false).test(path)) return false;
  if (rule.host !== undefined && !wildcardPattern(rule.host, true).test(host)) return false;
  return true;
}

/** The service a request goes to, or undefined (404: no rule matches and no web service takes every request). */
export function routeRequest(table: RoutingTable, request: { host?: string; url?: string }): string | undefined {
  const host = requestHost(request.host);
  const path = requestPath(request.url);
  const rules = [...table.rules].sort((a, b) => a.priority - b.priority);
  for (const rule of rules) if (ruleMatches(rule, host, path)) return rule.service;
  return table.defaultService;
}
