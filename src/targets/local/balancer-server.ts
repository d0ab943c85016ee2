/**
 * The local load balancer: http-proxy-3 in front of the replicas, ALB-style health checks, draining,
 * sticky cookies, websockets, and a control server on a Unix socket. It also keeps the current release
 * at its replica count: a replica whose container stops leaves the rotation at once and is replaced.
 */
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import type { LocalPlan } from '../../plan/local/local-plan.js';
import { applyCheck, chooseBackend, cookieValue, type BackendEntry, type BackendStatus, type BalancerConfig, type BalancerStatus } from './balancer-model.js';
import { connectEngine, publishedPort, removeContainer, startReplica, type Docker } from './engine.js';
import { LocalSecretFile } from './secret-store.js';

export interface BalancerFiles {
  /** balancer.json: the desired configuration (rewritten by the balancer when it replaces a replica). */
  config: string;
  socket: string;
  /** The secrets file, read only when a replacement replica is created. */
  secrets: string;
}

const RETRYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

export class LocalBalancer {
  private config: BalancerConfig;
  private backends = new Map<string, BackendStatus>();
  /** In-flight and served counts per backend, apart from the health state (which is copied on every check). */
  private traffic = new Map<string, { inflight: number; served: number }>();
  private timers = new Map<string, NodeJS.Timeout>();
  private cursor = 0;
  private events: string[] = [];
  private readonly startedAt = new Date().toISOString();
  private readonly proxy = createProxyServer({ xfwd: true, proxyTimeout: 120_000 });
  private server?: http.Server;
  private control?: http.Server;
  private supervisor?: NodeJS.Timeout;
  private replacing = false;
  private docker?: Docker;
  /** Upgraded (websocket) connections: server.close() does not end them, stop() must. */
  private readonly upgraded = new Set<Socket>();

  /** `supervise: false` skips the engine (for tests with plain HTTP servers as backends). */
  constructor(private readonly files: BalancerFiles, private readonly options: { supervise?: boolean } = {}) {
    this.config = JSON.parse(readFileSync(files.config, 'utf8')) as BalancerConfig;
    this.setBackends(this.config.backends);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res, 0));
    this.server.on('upgrade', (req, socket: Socket, head) => this.upgrade(req, socket, head));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.port, '127.0.0.1', () => resolve());
    });
    if (existsSync(this.files.socket)) rmSync(this.files.socket);
    this.control = http.createServer((req, res) => void this.handleControl(req, res));
    await new Promise<void>((resolve) => this.control!.listen(this.files.socket, () => resolve()));
    chmodSync(this.files.socket, 0o600);
    if (this.options.supervise !== false) this.supervisor = setInterval(() => void this.supervise(), 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.supervisor);
    for (const timer of this.timers.values()) clearTimeout(timer);
    await new Promise((resolve) => this.control?.close(resolve) ?? resolve(undefined));
    this.server?.closeAllConnections();
    for (const socket of this.upgraded) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
    this.proxy.close();
    rmSync(this.files.socket, { force: true });
  }

  status(): BalancerStatus {
    const backends = [...this.backends.values()].map((backend) => ({ ...backend, ...this.trafficOf(backend.id) }));
    return { pid: process.pid, port: this.config.port, startedAt: this.startedAt, backends, events: this.events.slice(0, 50) };
  }

  private trafficOf(id: string): { inflight: number; served: number } {
    let counts = this.traffic.get(id);
    if (!counts) {
      counts = { inflight: 0, served: 0 };
      this.traffic.set(id, counts);
    }
    return counts;
  }

  private event(text: string): void {
    this.events.unshift(`${new Date().toISOString()} ${text}`);
    if (this.events.length > 200) this.events.pop();
  }

  /** Replaces the backend list, keeping the health state of backends that stay. */
  setBackends(entries: BackendEntry[]): void {
    const keep = new Set(entries.map((entry) => entry.id));
    for (const id of [...this.backends.keys()]) {
      if (!keep.has(id)) {
        this.backends.delete(id);
        this.traffic.delete(id);
        clearTimeout(this.timers.get(id));
        this.timers.delete(id);
      }
    }
    for (const entry of entries) {
      const existing = this.backends.get(entry.id);
      if (existing) {
        this.backends.set(entry.id, { ...existing, ...entry });
      } else {
        this.backends.set(entry.id, { ...entry, health: 'initial', inflight: 0, served: 0, consecutivePasses: 0, consecutiveFailures: 0, registeredAt: new Date().toISOString() });
        this.scheduleCheck(entry.id, 1000);
      }
    }
    this.config.backends = entries;
  }

  private persist(): void {
    const temporary = `${this.files.config}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.config, null, 2)}\n`);
    renameSync(temporary, this.files.config);
  }

  private scheduleCheck(id: string, delayMs: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.set(id, setTimeout(() => void this.check(id), delayMs));
  }

  /** One ALB-style check: GET path within the timeout, 2xx passes. */
  private async check(id: string): Promise<void> {
    const backend = this.backends.get(id);
    if (!backend) return;
    const health = this.config.health;
    let passed = false;
    let error: string | undefined;
    if (backend.health === 'down' || !backend.url) {
      error = 'container not running';
    } else {
      try {
        const response = await fetch(`${backend.url}${health.path}`, { signal: AbortSignal.timeout(health.timeout * 1000), headers: { 'user-agent': 'berth-health-check' } });
        await response.arrayBuffer().catch(() => undefined);
        passed = response.status >= 200 && response.status < 300;
        if (!passed) error = `HTTP ${response.status} from ${health.path}`;
      } catch (caught) {
        const name = caught instanceof Error ? caught.name : '';
        error = name === 'TimeoutError' ? `no answer from ${health.path} within ${health.timeout}s` : `connection to ${health.path} failed`;
      }
    }
    const current = this.backends.get(id);
    if (!current) return;
    if (current.health === 'down' && !passed) {
      this.scheduleCheck(id, health.interval * 1000);
      return;
    }
    const next = applyCheck(current, passed, health, Date.now(), error);
    if (next.health !== current.health) this.event(`${id}: ${current.health} -> ${next.health}${error ? ` (${error})` : ''}`);
    if (next.health === 'healthy' && next.role === 'candidate' && next.promoteWhenHealthy) {
      next.role = 'active';
      this.config.backends = this.config.backends.map((entry) => (entry.id === id ? { ...entry, role: 'active' } : entry));
      this.persist();
      this.event(`${id}: joined the rotation`);
    }
    this.backends.set(id, next);
    // A starting replica is re-checked soon (its failures do not count yet), so it is found up without waiting an interval.
    const starting = !passed && next.health === 'initial' && next.consecutiveFailures === 0;
    this.scheduleCheck(id, (starting ? Math.min(health.interval, 2) : health.interval) * 1000);
  }

  private pick(req: http.IncomingMessage, exclude: Set<string>): BackendStatus | undefined {
    const sticky = this.config.stickySeconds ? cookieValue(req.headers.cookie, this.config.cookieName) : undefined;
    const candidates = [...this.backends.values()].filter((backend) => !exclude.has(backend.id));
    const choice = chooseBackend(candidates, this.cursor, sticky);
    this.cursor = choice.cursor;
    return choice.backend;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, attempt: number, tried = new Set<string>()): void {
    const backend = this.pick(req, tried);
    if (!backend) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' });
      res.end('berth: no healthy replica of this app is in rotation (see `berth status`)\n');
      return;
    }
    tried.add(backend.id);
    const counts = this.trafficOf(backend.id);
    counts.inflight += 1;
    counts.served += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      counts.inflight -= 1;
    };
    res.once('close', release);
    if (this.config.stickySeconds) {
      const cookie = `${this.config.cookieName}=${encodeURIComponent(backend.id)}; Max-Age=${this.config.stickySeconds}; Path=/; HttpOnly; SameSite=Lax`;
      const previous = res.getHeader('set-cookie');
      res.setHeader('set-cookie', previous ? [...(Array.isArray(previous) ? previous : [String(previous)]), cookie] : cookie);
    }
    this.proxy.web(req, res, { target: backend.url }, (error) => {
      release();
      // A replica that refused the connection never saw the request: another one may take it.
      const code = (error as NodeJS.ErrnoException).code;
      if (!res.headersSent && attempt < 2 && RETRYABLE.has(req.method ?? '') && (code === 'ECONNREFUSED' || code === 'ECONNRESET')) {
        this.handle(req, res, attempt + 1, tried);
        return;
      }
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`berth: replica ${backend.id} did not answer (${code ?? error.message})\n`);
      } else {
        res.destroy();
      }
    });
  }

  private upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const backend = this.pick(req, new Set());
    if (!backend) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n');
      return;
    }
    const counts = this.trafficOf(backend.id);
    counts.inflight += 1;
    counts.served += 1;
    this.upgraded.add(socket);
    socket.once('close', () => {
      counts.inflight -= 1;
      this.upgraded.delete(socket);
    });
    this.proxy.ws(req, socket, head, { target: backend.url }, () => socket.destroy());
  }

  private async handleControl(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && req.url === '/status') return send(200, this.status());
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
      if (req.method === 'PUT' && req.url === '/config') {
        const next = body as BalancerConfig;
        this.config = { ...next, backends: this.config.backends };
        this.setBackends(next.backends);
        this.persist();
        return send(200, this.status());
      }
      if (req.method === 'POST' && req.url === '/shutdown') {
        send(200, { ok: true });
        setTimeout(() => void this.stop().then(() => process.exit(0)), 50);
        return;
      }
      send(404, { error: `unknown control request ${req.method} ${req.url}` });
    } catch (error) {
      send(500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Once a second: notice stopped containers (out of rotation at once) and replace them. */
  private async supervise(): Promise<void> {
    if (this.replacing) return;
    this.replacing = true;
    try {
      this.docker ??= connectEngine();
      for (const backend of [...this.backends.values()]) {
        let running = false;
        let url = backend.url;
        try {
          const info = await this.docker.getContainer(backend.containerId).inspect();
          running = info.State.Running && !info.State.Restarting;
          const port = running ? publishedPort(info, this.containerPort(info)) : undefined;
          if (port) url = `http://127.0.0.1:${port}`;
        } catch {
          running = false;
        }
        const current = this.backends.get(backend.id);
        if (!current) continue;
        if (!running && current.health !== 'down') {
          this.event(`${backend.id}: container stopped; out of rotation`);
          this.backends.set(backend.id, { ...current, health: 'down', consecutivePasses: 0 });
        } else if (running && url !== current.url) {
          this.backends.set(backend.id, { ...current, url });
          this.config.backends = this.config.backends.map((entry) => (entry.id === backend.id ? { ...entry, url } : entry));
          this.persist();
        }
      }
      await this.replaceDead();
    } catch (error) {
      this.event(`supervisor: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.replacing = false;
    }
  }

  private containerPort(info: Docker.ContainerInspectInfo): number {
    const key = Object.keys(info.Config.ExposedPorts ?? {})[0] ?? '';
    return Number.parseInt(key, 10);
  }

  /** Replaces replicas of the supervised release whose container is gone or exited (not ones restarting). */
  private async replaceDead(): Promise<void> {
    const supervise = this.config.supervise;
    if (!supervise || !this.docker) return;
    const dead = [...this.backends.values()].filter((backend) => backend.release === supervise.release && backend.health === 'down' && backend.role !== 'draining');
    for (const backend of dead) {
      let restarting = false;
      try {
        const info = await this.docker.getContainer(backend.containerId).inspect();
        restarting = info.State.Restarting || info.State.Running;
      } catch {
        restarting = false;
      }
      if (restarting) continue;
      const plan = JSON.parse(readFileSync(supervise.planFile, 'utf8')) as LocalPlan;
      const secrets = new LocalSecretFile(this.files.secrets).values();
      const index = Number(/-(\d+)-[0-9a-f]{4}$/.exec(backend.id)?.[1] ?? 0);
      const replica = await startReplica(this.docker, plan, index, secrets);
      await removeContainer(this.docker, backend.containerId);
      const entries = this.config.backends.filter((entry) => entry.id !== backend.id);
      entries.push({ id: replica.name, containerId: replica.id, release: supervise.release, url: replica.url, role: 'candidate', promoteWhenHealthy: true });
      this.setBackends(entries);
      this.persist();
      this.event(`${backend.id}: replaced by ${replica.name}`);
    }
  }
}
