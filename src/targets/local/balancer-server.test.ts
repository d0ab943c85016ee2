import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BalancerConfig, PoolConfig } from './balancer-model.js';
import { LocalBalancer } from './balancer-server.js';

const PORT = 18310;
const URL = `http://127.0.0.1:${PORT}`;
const servers: http.Server[] = [];
const sockets = new Set<Socket>();
let balancer: LocalBalancer | undefined;

afterEach(async () => {
  await balancer?.stop();
  balancer = undefined;
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

interface Backend { name: string; url: string; healthy: boolean; delayMs: number }

/** A plain HTTP server standing in for a replica: answers with its name, /health as told, websockets echo. */
async function backend(name: string): Promise<Backend> {
  const state: Backend = { name, url: '', healthy: true, delayMs: 0 };
  const server = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(state.healthy ? 200 : 500).end();
      return;
    }
    if (req.url === '/forwarded') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ for: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'], port: req.headers['x-forwarded-port'] }));
      return;
    }
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(name), state.delayMs);
  });
  server.on('upgrade', (_req, socket: Socket) => {
    sockets.add(socket);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (data: Buffer) => socket.write(`${name}:${data.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

const HEALTH = { path: '/health', interval: 1, timeout: 1, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 };

function pool(service: string, stickySeconds: number | false = false): PoolConfig {
  return { service, health: HEALTH, stickySeconds, cookieName: service === 'web' ? 'berth-lt-unit-replica' : `berth-lt-unit-${service}-replica` };
}

/** Backends of the `web` service unless `service` says otherwise. */
async function startBalancer(backends: Array<Backend & { service?: string }>, extra: Partial<BalancerConfig> = {}): Promise<LocalBalancer> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-balancer-'));
  const config: BalancerConfig = {
    app: 'lt-unit', env: 'local', port: PORT,
    routing: { rules: [], defaultService: 'web' },
    pools: [pool('web')],
    backends: backends.map((entry) => ({ id: entry.name, containerId: entry.name, release: 1, service: entry.service ?? 'web', kind: 'web', url: entry.url, role: 'active' })),
    ...extra,
  };
  writeFileSync(join(dir, 'balancer.json'), JSON.stringify(config));
  balancer = new LocalBalancer({ config: join(dir, 'balancer.json'), socket: join(dir, 'control.sock'), secrets: join(dir, 'secrets.json') }, { supervise: false });
  await balancer.start();
  return balancer;
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const healthyCount = (lb: LocalBalancer) => lb.status().backends.filter((entry) => entry.health === 'healthy').length;

/** GET with any headers, Host included (fetch does not let a caller set Host). */
function get(path: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

async function bodies(count: number, headers: Record<string, string> = {}, path = '/'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) out.push(await get(path, headers));
  return out;
}

describe('LocalBalancer', () => {
  it('answers 503 until a replica passes healthyThreshold checks, then goes round-robin', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const lb = await startBalancer([a, b]);
    expect((await fetch(URL)).status).toBe(503);
    await until(() => healthyCount(lb) === 2);
    expect(await bodies(4)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('takes a failing replica out of the rotation after unhealthyThreshold checks and back when it recovers', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const lb = await startBalancer([a, b]);
    await until(() => healthyCount(lb) === 2);
    b.healthy = false;
    await until(() => lb.status().backends.find((entry) => entry.id === 'b')?.health === 'unhealthy');
    expect(new Set(await bodies(6))).toEqual(new Set(['a']));
    expect(lb.status().backends.find((entry) => entry.id === 'b')?.lastError).toBe('HTTP 500 from /health');
    b.healthy = true;
    await until(() => healthyCount(lb) === 2);
    expect(new Set(await bodies(4))).toEqual(new Set(['a', 'b']));
  });

  it('takes a replica that refuses a request out of the rotation at once: the POSTs that follow all reach the others', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const lb = await startBalancer([a, b], { pools: [{ ...pool('web'), health: { ...HEALTH, interval: 30, unhealthyThreshold: 3 } }] });
    await until(() => healthyCount(lb) === 2);
    // b's process dies: nothing listens on its port any more (health checks would need 3 x 30 s to notice).
    const bServer = servers.pop()!;
    bServer.closeAllConnections();
    await new Promise((resolve) => bServer.close(resolve));
    const post = async () => {
      const response = await fetch(URL, { method: 'POST', body: 'order=1' });
      return `${response.status} ${await response.text()}`;
    };
    // At most one POST meets the refusal (it cannot be sent again: its body was read); every one after it reaches a.
    const first = [await post(), await post()];
    expect(first.filter((answer) => answer.startsWith('502'))).toHaveLength(1);
    expect(await Promise.all(Array.from({ length: 8 }, post))).toEqual(Array.from({ length: 8 }, () => '200 a'));
    const b2 = lb.status().backends.find((entry) => entry.id === 'b')!;
    expect(b2).toMatchObject({ health: 'initial', lastError: 'connection refused' });
    expect(lb.status().events.some((event) => event.includes('b: healthy -> initial (connection refused to a request; out of rotation until 2 passing checks)'))).toBe(true);
  });

  it('sets X-Forwarded-Proto and -Port itself and appends the client to X-Forwarded-For, as an ALB does', async () => {
    const a = await backend('a');
    const lb = await startBalancer([a]);
    await until(() => healthyCount(lb) === 1);
    const seen = JSON.parse(await get('/forwarded', { 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', 'x-forwarded-for': '203.0.113.9' })) as Record<string, string>;
    expect(seen).toEqual({ proto: 'http', port: String(PORT), for: '203.0.113.9,127.0.0.1' });
  });

  it('keeps a client on one replica with the sticky cookie', async () => {
    const lb = await startBalancer([await backend('a'), await backend('b')], { pools: [pool('web', 60)] });
    await until(() => healthyCount(lb) === 2);
    const first = await fetch(URL);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^berth-lt-unit-replica=(a|b); Max-Age=60; Path=\//);
    const name = await first.text();
    expect(new Set(await bodies(5, { cookie: cookie.split(';')[0]! }))).toEqual(new Set([name]));
  });

  it('passes websockets through', async () => {
    const lb = await startBalancer([await backend('a')]);
    await until(() => healthyCount(lb) === 1);
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: PORT, path: '/ws', headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('upgrade', (_res, socket: Socket) => {
        socket.once('data', (data: Buffer) => { resolve(data.toString()); socket.destroy(); });
        socket.write('hello');
      });
      req.on('error', reject);
      req.end();
    });
    expect(echoed).toBe('a:hello');
  });

  it('lets in-flight requests of a draining replica finish and sends it no new ones', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const lb = await startBalancer([a]);
    await until(() => healthyCount(lb) === 1);
    a.delayMs = 1500;
    const slow = fetch(URL).then((response) => response.text());
    await until(() => lb.status().backends[0]!.inflight === 1);
    lb.setBackends([
      { id: 'a', containerId: 'a', release: 1, service: 'web', kind: 'web', url: a.url, role: 'draining' },
      { id: 'b', containerId: 'b', release: 2, service: 'web', kind: 'web', url: b.url, role: 'active' },
    ]);
    await until(() => healthyCount(lb) === 2);
    expect(await bodies(3)).toEqual(['b', 'b', 'b']);
    expect(await slow).toBe('a');
    expect(lb.status().backends.find((entry) => entry.id === 'a')?.inflight).toBe(0);
  });

  it('routes by path and host to each service\'s own pool, the rest to the default service, with a sticky cookie per service', async () => {
    const web = await backend('web-1');
    const api1 = await backend('api-1');
    const api2 = await backend('api-2');
    const admin = await backend('admin-1');
    const lb = await startBalancer([web, { ...api1, service: 'api' }, { ...api2, service: 'api' }, { ...admin, service: 'admin' }], {
      routing: { rules: [{ service: 'api', priority: 1, path: '/api/*' }, { service: 'admin', priority: 2, host: 'admin.example.com' }], defaultService: 'web' },
      pools: [pool('web'), pool('api', 60), pool('admin')],
    });
    await until(() => healthyCount(lb) === 4);
    expect(await bodies(4, {}, '/api/items?x=1')).toEqual(['api-1', 'api-2', 'api-1', 'api-2']);
    expect(await bodies(2, {}, '/')).toEqual(['web-1', 'web-1']);
    expect(await bodies(2, {}, '/apiary')).toEqual(['web-1', 'web-1']);
    expect(await bodies(2, { host: 'Admin.Example.com:18310' }, '/api/x')).toEqual(['api-1', 'api-2']);
    expect(await bodies(2, { host: 'admin.example.com' }, '/dashboard')).toEqual(['admin-1', 'admin-1']);
    const sticky = await fetch(`${URL}/api/one`);
    expect(sticky.headers.get('set-cookie')).toMatch(/^berth-lt-unit-api-replica=api-\d; Max-Age=60/);
    expect((await fetch(`${URL}/`)).headers.get('set-cookie')).toBeNull();
  });

  it('answers 404 when no route takes a request and no web service takes every request', async () => {
    const api = await backend('api-1');
    const lb = await startBalancer([{ ...api, service: 'api' }], {
      routing: { rules: [{ service: 'api', priority: 1, path: '/api/*' }] },
      pools: [pool('api')],
    });
    await until(() => healthyCount(lb) === 1);
    expect((await fetch(`${URL}/api/x`)).status).toBe(200);
    const missing = await fetch(`${URL}/other`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no service of this app answers');
  });

  it('answers 503 naming the service when its pool has no healthy replica while others do', async () => {
    const web = await backend('web-1');
    const api = await backend('api-1');
    api.healthy = false;
    const lb = await startBalancer([web, { ...api, service: 'api' }], {
      routing: { rules: [{ service: 'api', priority: 1, path: '/api/*' }], defaultService: 'web' },
      pools: [pool('web'), pool('api')],
    });
    await until(() => healthyCount(lb) === 1 && lb.status().backends.find((entry) => entry.id === 'api-1')?.health === 'unhealthy');
    expect((await fetch(`${URL}/`)).status).toBe(200);
    const down = await fetch(`${URL}/api/x`);
    expect(down.status).toBe(503);
    expect(await down.text()).toContain('no healthy replica of api');
  });
});
