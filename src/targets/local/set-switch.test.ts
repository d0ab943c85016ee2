/** Blue/green and canary on the local balancer: the test listener, the canary share, and returning traffic. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { takesCanaryShare, type BackendEntry, type BalancerConfig } from './balancer-model.js';
import { LocalBalancer } from './balancer-server.js';
import { returnedBackends, testRequests } from './set-switch.js';

const PORT = 18320;
const TEST_PORT = 18321;
const servers: http.Server[] = [];
let balancer: LocalBalancer | undefined;

afterEach(async () => {
  await balancer?.stop();
  balancer = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function replica(name: string): Promise<string> {
  const server = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url === '/health' ? 'ok' : name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const HEALTH = { path: '/health', interval: 1, timeout: 1, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 };

async function start(backends: BackendEntry[], extra: Partial<BalancerConfig>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-switch-'));
  const config: BalancerConfig = {
    app: 'lt-switch-unit', env: 'local', port: PORT, routing: { rules: [], defaultService: 'web' },
    pools: [{ service: 'web', health: HEALTH, stickySeconds: false, cookieName: 'berth-lt-switch-unit-replica' }], backends, ...extra,
  };
  writeFileSync(join(dir, 'balancer.json'), JSON.stringify(config));
  balancer = new LocalBalancer({ config: join(dir, 'balancer.json'), socket: join(dir, 'control.sock'), secrets: join(dir, 'secrets.json') }, { supervise: false });
  await balancer.start();
  // Both replicas healthy: two passes one interval apart.
  for (let i = 0; i < 40 && balancer.status().backends.some((backend) => backend.health !== 'healthy'); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
}

async function bodies(port: number, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) out.push(await (await fetch(`http://127.0.0.1:${port}/`)).text());
  return out;
}

const entry = (id: string, url: string, release: number, role: BackendEntry['role']): BackendEntry => ({ id, containerId: id, release, service: 'web', kind: 'web', url, role });

describe('the local balancer during a blue/green or canary deploy', () => {
  it('the test listener reaches only the candidates; production requests only the running set', async () => {
    await start([entry('blue', await replica('blue'), 1, 'active'), entry('green', await replica('green'), 2, 'candidate')], { testPort: TEST_PORT });
    expect(new Set(await bodies(TEST_PORT, 6))).toEqual(new Set(['green']));
    expect(new Set(await bodies(PORT, 6))).toEqual(new Set(['blue']));
  }, 20_000);

  it('the test listener routes by the new release\'s routes: a service the running release does not have answers there only', async () => {
    const backends = [entry('blue', await replica('blue'), 1, 'active'), entry('green', await replica('green'), 2, 'candidate'), { ...entry('api', await replica('api'), 2, 'candidate'), service: 'api' }];
    await start(backends, {
      testPort: TEST_PORT,
      testRouting: { rules: [{ priority: 10, service: 'api', path: '/api/*' }], defaultService: 'web' },
      pools: ['web', 'api'].map((service) => ({ service, health: HEALTH, stickySeconds: false as const, cookieName: `berth-lt-switch-unit-${service}` })),
    });
    expect(await (await fetch(`http://127.0.0.1:${TEST_PORT}/api/x`)).text()).toBe('api');
    expect(await (await fetch(`http://127.0.0.1:${PORT}/api/x`)).text()).toBe('blue');
  }, 20_000);

  it('a canary split sends exactly its share of requests to the new release', async () => {
    await start([entry('blue', await replica('blue'), 1, 'active'), entry('green', await replica('green'), 2, 'active')], { split: { release: 2, percent: 25 } });
    const answered = await bodies(PORT, 40);
    expect(answered.filter((body) => body === 'green')).toHaveLength(10);
    expect(answered.filter((body) => body === 'blue')).toHaveLength(30);
  }, 20_000);

  it('standby replicas (the old set while the new one bakes) take no requests', async () => {
    await start([entry('blue', await replica('blue'), 1, 'standby'), entry('green', await replica('green'), 2, 'active')], {});
    expect(new Set(await bodies(PORT, 6))).toEqual(new Set(['green']));
  }, 20_000);
});

describe('pure rules', () => {
  it('takesCanaryShare picks exactly percent of every 100 requests, spread out', () => {
    for (const percent of [1, 10, 25, 50, 99]) {
      const taken = Array.from({ length: 100 }, (_, sequence) => takesCanaryShare(sequence, percent));
      expect(taken.filter(Boolean)).toHaveLength(percent);
    }
    expect(Array.from({ length: 10 }, (_, sequence) => takesCanaryShare(sequence, 50))).toEqual([false, true, false, true, false, true, false, true, false, true]);
  });

  it('returning traffic drains the new release and makes the standby replicas the rotation again', () => {
    const backends = [entry('blue-1', 'u1', 1, 'standby'), entry('green-1', 'u2', 2, 'active')];
    expect(returnedBackends(backends, 2).map((backend) => [backend.id, backend.role])).toEqual([['blue-1', 'active'], ['green-1', 'draining']]);
  });

  it('the test request set is each web service\'s health path under its route, three times', () => {
    const config = configFromYaml('app: shop\nimage: nginx:1.27\nservices:\n  web: { port: 8000, health: { path: /health } }\n  api: { port: 9000, path: /api/*, host: api.example.com, health: { path: /ready } }\n  worker: { kind: worker }\n', 'local');
    expect(testRequests(config, 8081)).toEqual([
      ...Array(3).fill({ service: 'web', port: 8081, path: '/health' }),
      ...Array(3).fill({ service: 'api', port: 8081, path: '/api/ready', host: 'api.example.com' }),
    ]);
  });
});
