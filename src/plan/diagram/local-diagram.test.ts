import { describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { planLocal } from '../local/local-plan.js';
import { diagramFacts } from './diagram.js';
import { diagramFromLocalPlan } from './local-diagram.js';

describe('diagramFromLocalPlan', () => {
  it('shows this machine -> balancer -> replicas -> PostgreSQL / Redis, their volumes and ports, no price', () => {
    const config = configFromYaml(`app: shop
service: { image: 'shop:1', port: 8000, count: 2, secrets: [API_KEY] }
database: postgres
cache: redis
local: { port: 18090 }
`, 'local');
    const diagram = diagramFromLocalPlan(planLocal(config, { release: 3, databasePassword: 'x' }));
    const facts = diagramFacts(diagram);
    expect(facts.nodes).toEqual([
      'clients This machine',
      'load-balancer Load balancer',
      'service shop [Docker network berth-shop-local-net]',
      'secrets Local secrets',
      'database PostgreSQL [Docker network berth-shop-local-net]',
      'volume berth-shop-local-database-data',
      'cache Redis [Docker network berth-shop-local-net]',
      'volume berth-shop-local-cache-data',
    ]);
    expect(facts.edges).toEqual([
      'This machine -> Load balancer: http 18090 (traffic)',
      'Load balancer -> shop: tcp 8000 (traffic)',
      'shop -> Local secrets: injected at start (uses)',
      'shop -> PostgreSQL: tcp 5432 (traffic)',
      'shop -> Redis: tcp 6379 (traffic)',
      'PostgreSQL -> berth-shop-local-database-data: mounted at /var/lib/postgresql/data (uses)',
      'Redis -> berth-shop-local-cache-data: mounted at /data (uses)',
    ]);
    expect(diagram.nodes.find((node) => node.kind === 'service')!.detail[0]).toBe('2 replicas of berth-shop:local-release-3');
    expect(diagram.monthly).toBeUndefined();
    expect(JSON.stringify(diagram)).not.toContain('"x"');
  });

  it('draws every service: web services by their route, workers and jobs beside them on the network', () => {
    const config = configFromYaml(`app: news
image: 'news:1'
services:
  web: { port: 8000 }
  feeds: { port: 8001, path: /feeds/* }
  worker: { kind: worker, command: [python, worker.py] }
  fetch: { kind: job, command: [python, fetch.py], schedule: "*/15 * * * *" }
cache: redis
`, 'local');
    const diagram = diagramFromLocalPlan(planLocal(config, { release: 1 }));
    const facts = diagramFacts(diagram);
    expect(facts.nodes.filter((node) => node.startsWith('service'))).toEqual([
      'service web [Docker network berth-news-local-net]',
      'service feeds [Docker network berth-news-local-net]',
      'service worker [Docker network berth-news-local-net]',
      'service fetch [Docker network berth-news-local-net]',
    ]);
    expect(facts.edges).toEqual(expect.arrayContaining([
      'Load balancer -> web: tcp 8000 (traffic)',
      'Load balancer -> feeds: tcp 8001 (path /feeds/*) (traffic)',
      'worker -> Redis: tcp 6379 (traffic)',
      'fetch -> Redis: tcp 6379 (traffic)',
    ]));
    expect(facts.edges.some((edge) => edge.startsWith('Load balancer -> worker'))).toBe(false);
    expect(diagram.nodes.find((node) => node.label === 'fetch')!.detail[0]).toBe('job: cron */15 * * * * (UTC)');
  });
});
