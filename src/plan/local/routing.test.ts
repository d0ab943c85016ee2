import { describe, expect, it } from 'vitest';
import { requestHost, requestPath, routeRequest, wildcardPattern, type RoutingTable } from './routing.js';

const TABLE: RoutingTable = {
  rules: [
    { service: 'api', priority: 1, path: '/api/*' },
    { service: 'admin', priority: 2, host: 'admin.example.com' },
    { service: 'v2', priority: 3, path: '/v?/items', host: '*.example.org' },
    { service: 'shop', priority: 4, host: '*.shop.test' },
  ],
  defaultService: 'web',
};

describe('routeRequest (ALB listener-rule semantics)', () => {
  it('sends a request to the first rule whose path pattern matches, in priority order', () => {
    expect(routeRequest(TABLE, { host: 'x', url: '/api/articles' })).toBe('api');
    expect(routeRequest(TABLE, { host: 'admin.example.com', url: '/api/articles' })).toBe('api');
    expect(routeRequest({ ...TABLE, rules: TABLE.rules.map((rule) => (rule.service === 'admin' ? { ...rule, priority: 0 } : rule)) }, { host: 'admin.example.com', url: '/api/x' })).toBe('admin');
  });

  it('matches * against any run of characters, slashes included, and ? against exactly one', () => {
    expect(routeRequest(TABLE, { url: '/api/' })).toBe('api');
    expect(routeRequest(TABLE, { url: '/api/a/b/c' })).toBe('api');
    expect(routeRequest(TABLE, { url: '/api' })).toBe('web');
    expect(routeRequest(TABLE, { host: 'a.example.org', url: '/v2/items' })).toBe('v2');
    expect(routeRequest(TABLE, { host: 'a.example.org', url: '/v22/items' })).toBe('web');
    expect(routeRequest(TABLE, { host: 'a.example.org', url: '/v/items' })).toBe('web');
  });

  it('compares the path case-sensitively and without the query string', () => {
    expect(routeRequest(TABLE, { url: '/API/articles' })).toBe('web');
    expect(routeRequest(TABLE, { url: '/api/articles?page=2&q=/x' })).toBe('api');
    expect(requestPath('/a?b')).toBe('/a');
    expect(requestPath(undefined)).toBe('/');
  });

  it('compares the host case-insensitively, without its port, with wildcards', () => {
    expect(routeRequest(TABLE, { host: 'ADMIN.Example.COM:8080', url: '/' })).toBe('admin');
    expect(routeRequest(TABLE, { host: 'eu.shop.test', url: '/' })).toBe('shop');
    expect(routeRequest(TABLE, { host: 'shop.test', url: '/' })).toBe('web');
    expect(requestHost('[::1]:8080')).toBe('[::1]');
    expect(requestHost(undefined)).toBe('');
  });

  it('needs both conditions of a rule with a path and a host', () => {
    expect(routeRequest(TABLE, { host: 'a.example.org', url: '/v1/items' })).toBe('v2');
    expect(routeRequest(TABLE, { host: 'a.example.com', url: '/v1/items' })).toBe('web');
  });

  it('answers with the web service without a route when nothing matches, and with none (404) when every web service has a route', () => {
    expect(routeRequest(TABLE, { host: '127.0.0.1:18080', url: '/' })).toBe('web');
    expect(routeRequest({ rules: TABLE.rules }, { host: '127.0.0.1', url: '/' })).toBeUndefined();
  });

  it('treats every other character of a pattern literally', () => {
    expect(wildcardPattern('/a.b+(c)/*', false).test('/a.b+(c)/x')).toBe(true);
    expect(wildcardPattern('/a.b', false).test('/aXb')).toBe(false);
    expect(wildcardPattern('/a$', false).test('/a$')).toBe(true);
  });
});
