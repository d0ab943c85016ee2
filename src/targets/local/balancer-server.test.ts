import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BalancerConfig } from './balancer-model.js';
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

async function startBalancer(backends: Backend[], extra: Partial<BalancerConfig> = {}): Promise<LocalBalancer> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-balancer-'));
  const config: BalancerConfig = {
    app: 'lt-unit', env: 'local', port: PORT,
    health: { path: '/health', interval: 1, timeout: 1, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 },
    stickySeconds: false, cookieName: 'berth-lt-unit-replica',
    backends: backends.map((entry) => ({ id: entry.name, containerId: entry.name, release: 1, url: entry.url, role: 'active' })),
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

async function bodies(count: number, headers: Record<string, string> = {}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) out.push(await (await fetch(URL, { headers })).text());
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

  it('keeps a client on one replica with the sticky cookie', async () => {
    const lb = await startBalancer([await backend('a'), await backend('b')], { stickySeconds: 60 });
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
      { id: 'a', containerId: 'a', release: 1, url: a.url, role: 'draining' },
      { id: 'b', containerId: 'b', release: 2, url: b.url, role: 'active' },
    ]);
    await until(() => healthyCount(lb) === 2);
    expect(await bodies(3)).toEqual(['b', 'b', 'b']);
    expect(await slow).toBe('a');
    expect(lb.status().backends.find((entry) => entry.id === 'a')?.inflight).toBe(0);
  });
});
