/**
 * The local load balancer: http-proxy-3 in front of the web services' replicas, routing by path and host as the
 * ALB's listener rules do, ALB-style health checks per service, draining, sticky cookies, websockets, and a
 * control server on a Unix socket. It is also the environment's supervisor: it keeps every web and worker
 * replica of the current release running (a replica whose container stops leaves the rotation at once and is
 * replaced; a worker whose `health.command` fails is replaced, as ECS replaces an unhealthy task), and its job
 * scheduler runs the jobs on their schedules.
 */
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { createProxyServer } from 'http-proxy-3';
import { FIRST_CHECK_SECONDS, LABEL_PROJECT, LABEL_ROLE, labelFilters, probeDelaySeconds, STATE_FILES } from '../../model/index.js';
import { servicePlan } from '../../plan/local/local-plan.js';
import { routeRequest } from '../../plan/local/routing.js';
import { applyCheck, chooseBackend, cookieValue, restoreHealth, savedHealth, stoppedDependencies, takesCanaryShare, workerHealth, type BackendEntry, type BackendStatus, type BalancerConfig, type BalancerStatus, type PoolConfig, type SavedHealth } from './balancer-model.js';
import type * as EngineExports from './engine.js';
import type { Docker } from './engine.js';
import type { JobScheduler } from './job-scheduler.js';
import { BERTH_CODE } from './code-version.js';
import { writePrivateFile } from './private-files.js';
import { parseReleasePlan } from './release-plan-file.js';
import { LocalSecretFile } from './secret-store.js';

export interface BalancerFiles {
  /** balancer.json: the desired configuration (rewritten by the balancer when it replaces a replica). */
  config: string;
  socket: string;
  /** The secrets file, read only when a replacement replica or a job run is created. */
  secrets: string;
  /** The environment's state folder (job-run records); default: the folder of `config`. */
  stateDir?: string;
}

const RETRYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * How long a stopped replica whose container still exists is left to the engine's restart policy (its first back-off
 * is 100 ms) before the balancer replaces it with a new container.
 */
const ENGINE_RESTART_GRACE_MS = 3000;

type EngineModule = typeof EngineExports;

/**
 * X-Forwarded-* as an ALB sets them: Proto and Port are the balancer's own (a client cannot claim https), For gets
 * the client's address appended to whatever the client sent (http-proxy-3's xfwd does the setting and appending).
 */
export function forwardedLikeAlb(req: http.IncomingMessage): void {
  delete req.headers['x-forwarded-proto'];
  delete req.headers['x-forwarded-port'];
}

export class LocalBalancer {
  private config: BalancerConfig;
  private backends = new Map<string, BackendStatus>();
  /** In-flight and served counts per backend, apart from the health state (which is copied on every check). */
  private traffic = new Map<string, { inflight: number; served: number }>();
  private timers = new Map<string, NodeJS.Timeout>();
  /** Round-robin position per service. */
  private cursors = new Map<string, number>();
  private events: string[] = [];
  private readonly startedAt = new Date().toISOString();
  private readonly proxy = createProxyServer({ xfwd: true, proxyTimeout: 120_000 });
  private server?: http.Server;
  /** Blue/green and canary: the test listener, which reaches only the healthy candidates. */
  private testServer?: { port: number; server: http.Server };
  /** Canary: requests counted per service, to send exactly the configured share to the new release. */
  private splitSequence = new Map<string, number>();
  private control?: http.Server;
  private supervisor?: NodeJS.Timeout;
  private takenOver = false;
  private replacing = false;
  private docker?: Docker;
  private scheduler?: JobScheduler;
  /** engine.js, loaded once the balancer listens: the Docker client takes a second to load, and traffic should not wait. */
  private engine?: EngineModule;
  /** Upgraded (websocket) connections: server.close() does not end them, stop() must. */
  private readonly upgraded = new Set<Socket>();
  /** The start time of each replica's container as last seen: a change means the engine restarted it. */
  private readonly containerStarts = new Map<string, string>();
  /** When each replica was seen stopped (health `down`): the engine gets ENGINE_RESTART_GRACE_MS to restart it. */
  private readonly downSince = new Map<string, number>();
  /** The health state a previous balancer of this environment saved (read once, when this one starts). */
  private readonly restored?: SavedHealth;
  private readonly healthFile: string;

  /**
   * `supervise: false` skips the engine (for tests with plain HTTP servers as backends): no replacements, no jobs.
   * `restarts`: what the supervisor says about earlier balancers of this environment (shown by `berth status`).
   */
  constructor(private readonly files: BalancerFiles, private readonly options: { supervise?: boolean; restarts?: { restarts: number; lastRestart?: string } } = {}) {
    this.config = JSON.parse(readFileSync(files.config, 'utf8')) as BalancerConfig;
    this.healthFile = join(files.stateDir ?? dirname(files.config), STATE_FILES.balancerHealth);
    this.restored = this.readSavedHealth();
    this.events = [...(this.restored?.events ?? [])];
    this.setBackends(this.config.backends);
    if (options.restarts?.restarts) this.event(`load balancer started again by its supervisor (restart ${options.restarts.restarts}; the previous one: ${options.restarts.lastRestart ?? 'ended'})`);
  }

  private readSavedHealth(): SavedHealth | undefined {
    try {
      return existsSync(this.healthFile) ? (JSON.parse(readFileSync(this.healthFile, 'utf8')) as SavedHealth) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Saves the health state and events (owner-only: events can name replicas and errors), for a restarted balancer. */
  private saveHealth(): void {
    try {
      writePrivateFile(this.healthFile, `${JSON.stringify(savedHealth([...this.backends.values()], this.events, Date.now()))}\n`);
    } catch {
      // the state folder is gone (destroy --purge): nothing to keep
    }
  }

  async start(): Promise<void> {
    if (this.config.port !== undefined) {
      this.server = http.createServer((req, res) => this.handle(req, res, 0));
      this.server.on('upgrade', (req, socket: Socket, head) => this.upgrade(req, socket, head));
      this.server.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve, reject) => {
        this.server!.once('error', reject);
        this.server!.listen(this.config.port, '127.0.0.1', () => resolve());
      });
    }
    await this.syncTestListener();
    if (existsSync(this.files.socket)) rmSync(this.files.socket);
    this.control = http.createServer((req, res) => void this.handleControl(req, res));
    await new Promise<void>((resolve) => this.control!.listen(this.files.socket, () => resolve()));
    chmodSync(this.files.socket, 0o600);
    if (this.options.supervise !== false) {
      this.engine = await import('./engine.js');
      const { JobScheduler } = await import('./job-scheduler.js');
      this.docker = this.engine.connectEngine();
      for (const backend of this.backends.values()) this.seedStart(backend.id, backend.containerId);
      this.scheduler = new JobScheduler(this.docker, {
        stateDir: this.files.stateDir ?? this.files.config.replace(/[\\/][^\\/]+$/, ''),
        supervised: () => this.config.supervise,
        secrets: () => {
          const content = new LocalSecretFile(this.files.secrets).read();
          const values = Object.fromEntries(Object.entries(content.secrets).map(([name, entry]) => [name, entry.value]));
          return { values, mask: [...Object.values(values), ...Object.values(content.generated)], databasePassword: content.generated.databasePassword };
        },
        event: (text) => this.event(text),
      });
      this.supervisor = setInterval(() => {
        void this.supervise();
        void this.scheduler?.tick();
      }, 1000);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.supervisor);
    for (const timer of this.timers.values()) clearTimeout(timer);
    await new Promise((resolve) => this.control?.close(resolve) ?? resolve(undefined));
    this.server?.closeAllConnections();
    for (const socket of this.upgraded) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
    await this.closeTestListener();
    this.proxy.close();
    rmSync(this.files.socket, { force: true });
  }

  status(): BalancerStatus {
    const backends = [...this.backends.values()].map((backend) => ({ ...backend, ...this.trafficOf(backend.id) }));
    return {
      pid: process.pid,
      ...(this.config.port !== undefined ? { port: this.config.port } : {}),
      startedAt: this.startedAt,
      code: BERTH_CODE,
      backends,
      events: this.events.slice(0, 50),
      ...(this.scheduler ? { jobs: this.scheduler.upcoming() } : {}),
      restarts: this.options.restarts?.restarts ?? 0,
      ...(this.options.restarts?.lastRestart ? { lastRestart: this.options.restarts.lastRestart } : {}),
    };
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
    this.saveHealth();
  }

  private pool(service: string): PoolConfig | undefined {
    return this.config.pools.find((pool) => pool.service === service);
  }

  /** Replaces the backend list, keeping the health state of backends that stay. */
  setBackends(entries: BackendEntry[]): void {
    const keep = new Set(entries.map((entry) => entry.id));
    for (const id of [...this.backends.keys()]) {
      if (!keep.has(id)) {
        this.backends.delete(id);
        this.traffic.delete(id);
        this.containerStarts.delete(id);
        this.downSince.delete(id);
        clearTimeout(this.timers.get(id));
        this.timers.delete(id);
      }
    }
    for (const entry of entries) {
      const existing = this.backends.get(entry.id);
      if (existing) {
        this.backends.set(entry.id, { ...existing, ...entry });
      } else {
        const fresh: BackendStatus = { ...entry, health: 'initial', inflight: 0, served: 0, consecutivePasses: 0, consecutiveFailures: 0, registeredAt: new Date().toISOString() };
        this.backends.set(entry.id, restoreHealth(fresh, this.restored));
        this.seedStart(entry.id, entry.containerId);
        // Workers are not checked over HTTP: the supervisor reads their health from the engine.
        // The first check soon after registration: a replica that is already listening passes it at once.
        if (entry.kind === 'web') this.scheduleCheck(entry.id, FIRST_CHECK_SECONDS * 1000);
      }
    }
    this.config.backends = entries;
  }

  /**
   * Remembers when a replica's container started, as it is registered (or as the balancer starts): the supervisor
   * tells an engine restart (kill -9, out of memory) by a later start time. Waiting for its first tick could miss one:
   * `docker inspect` waits while a container starts, so a restart right after registration is first seen done.
   */
  private seedStart(id: string, containerId: string): void {
    if (!this.docker) return;
    void this.docker.getContainer(containerId).inspect()
      .then((info) => {
        if (info.State.Running && !info.State.Restarting && !this.containerStarts.has(id)) this.containerStarts.set(id, info.State.StartedAt);
      })
      .catch(() => undefined);
  }

  /**
   * Passive health: nothing listens where a replica in the rotation should (its process died, the engine is restarting
   * it). It leaves the rotation at once instead of at the next check or supervisor tick, so the requests that follow
   * go to the others (a refused POST cannot be sent again: its body is gone), and rejoins after `healthyThreshold`
   * passing checks, probed fast, as a restarted replica does. The supervisor looks at the engine now too.
   */
  private refused(id: string): void {
    const current = this.backends.get(id);
    if (!current || current.health !== 'healthy') return;
    this.checkAsNew({ ...current, lastError: 'connection refused' }, (passes) => `healthy -> initial (connection refused to a request; out of rotation until ${passes})`);
    if (this.supervisor) void this.supervise();
  }

  /**
   * A replica out of the rotation and checked as a new target from now on (first check soon, fast probes), back after
   * `healthyThreshold` passes, as the ALB treats a re-registered target. `why` words the event from "<n> passing checks".
   */
  private checkAsNew(backend: BackendStatus, why: (passes: string) => string): void {
    const threshold = this.pool(backend.service)?.health.healthyThreshold ?? 1;
    this.backends.set(backend.id, { ...backend, health: 'initial', consecutivePasses: 0, consecutiveFailures: 0, registeredAt: new Date().toISOString() });
    this.event(`${backend.id}: ${why(`${threshold} passing check${threshold === 1 ? '' : 's'}`)}`);
    this.scheduleCheck(backend.id, FIRST_CHECK_SECONDS * 1000);
  }

  private persist(): void {
    writePrivateFile(this.files.config, `${JSON.stringify(this.config, null, 2)}\n`);
  }

  private scheduleCheck(id: string, delayMs: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.set(id, setTimeout(() => void this.check(id), delayMs));
  }

  private promote(id: string, next: BackendStatus): void {
    if (next.health === 'healthy' && next.role === 'candidate' && next.promoteWhenHealthy) {
      next.role = 'active';
      this.config.backends = this.config.backends.map((entry) => (entry.id === id ? { ...entry, role: 'active' } : entry));
      this.persist();
      this.event(`${id}: joined the rotation`);
    }
  }

  /** One ALB-style check of a web replica: GET its service's health path within the timeout, 2xx passes. */
  private async check(id: string): Promise<void> {
    const backend = this.backends.get(id);
    const health = backend ? this.pool(backend.service)?.health : undefined;
    if (!backend || !health) return;
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
    this.promote(id, next);
    this.backends.set(id, next);
    // A replica that is not yet healthy is probed fast (src/model/health-timing.ts), then every interval.
    this.scheduleCheck(id, probeDelaySeconds(health, next.health) * 1000);
  }

  /** Opens or closes the test listener as the configuration asks (blue/green and canary deploys). */
  private async syncTestListener(): Promise<void> {
    const wanted = this.config.testPort;
    if (this.testServer?.port === wanted) return;
    await this.closeTestListener();
    if (wanted === undefined) return;
    const server = http.createServer((req, res) => this.handle(req, res, 0, new Set(), 'test'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, '127.0.0.1', () => resolve());
    });
    this.testServer = { port: wanted, server };
    this.event(`test listener on 127.0.0.1:${wanted} (the new release's replicas only)`);
  }

  private async closeTestListener(): Promise<void> {
    const open = this.testServer;
    if (!open) return;
    this.testServer = undefined;
    open.server.closeAllConnections();
    await new Promise((resolve) => open.server.close(resolve));
  }

  private pick(req: http.IncomingMessage, service: string, exclude: Set<string>, listener: 'production' | 'test' = 'production'): BackendStatus | undefined {
    const pool = this.pool(service);
    const sticky = pool?.stickySeconds ? cookieValue(req.headers.cookie, pool.cookieName) : undefined;
    let candidates = [...this.backends.values()].filter((backend) => backend.service === service && backend.kind === 'web' && !exclude.has(backend.id));
    if (listener === 'test') {
      // The test listener sends requests to the candidates as if they were in rotation, and never to the running set.
      candidates = candidates.filter((backend) => backend.role === 'candidate').map((backend) => ({ ...backend, role: 'active' as const }));
    } else if (this.config.split) {
      const { release, percent } = this.config.split;
      const sequence = this.splitSequence.get(service) ?? 0;
      this.splitSequence.set(service, sequence + 1);
      const toNew = takesCanaryShare(sequence, percent);
      const side = candidates.filter((backend) => (backend.release === release) === toNew);
      if (side.some((backend) => backend.role === 'active' && backend.health === 'healthy')) candidates = side;
    }
    const choice = chooseBackend(candidates, this.cursors.get(service) ?? 0, sticky);
    this.cursors.set(service, choice.cursor);
    return choice.backend;
  }

  /** The web service a request is for (routing by path and host), or undefined: no route takes it. */
  private serviceFor(req: http.IncomingMessage, listener: 'production' | 'test' = 'production'): string | undefined {
    return routeRequest(listener === 'test' ? (this.config.testRouting ?? this.config.routing) : this.config.routing, { host: req.headers.host, url: req.url });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, attempt: number, tried = new Set<string>(), listener: 'production' | 'test' = 'production'): void {
    const service = this.serviceFor(req, listener);
    if (!service) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('berth: no service of this app answers this path or host (see the routes in `berth plan`)\n');
      return;
    }
    const backend = this.pick(req, service, tried, listener);
    if (!backend) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' });
      res.end(`berth: no healthy replica of ${service} is in rotation (see \`berth status\`)\n`);
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
    const pool = this.pool(service);
    if (pool?.stickySeconds) {
      const cookie = `${pool.cookieName}=${encodeURIComponent(backend.id)}; Max-Age=${pool.stickySeconds}; Path=/; HttpOnly; SameSite=Lax`;
      const previous = res.getHeader('set-cookie');
      res.setHeader('set-cookie', previous ? [...(Array.isArray(previous) ? previous : [String(previous)]), cookie] : cookie);
    }
    forwardedLikeAlb(req);
    this.proxy.web(req, res, { target: backend.url }, (error) => {
      release();
      // A replica that refused the connection never saw the request: another one may take it.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED') this.refused(backend.id);
      if (!res.headersSent && attempt < 2 && RETRYABLE.has(req.method ?? '') && (code === 'ECONNREFUSED' || code === 'ECONNRESET')) {
        this.handle(req, res, attempt + 1, tried, listener);
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
    const service = this.serviceFor(req);
    const backend = service ? this.pick(req, service, new Set()) : undefined;
    if (!backend) {
      socket.end(`HTTP/1.1 ${service ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\n\r\n`);
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
    forwardedLikeAlb(req);
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
        await this.syncTestListener();
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

  /** Once a second: notice stopped containers (out of rotation at once), read workers' health, replace the dead. */
  private async supervise(): Promise<void> {
    if (this.replacing || !this.docker) return;
    this.replacing = true;
    try {
      for (const backend of [...this.backends.values()]) {
        let info: Docker.ContainerInspectInfo | undefined;
        try {
          info = await this.docker.getContainer(backend.containerId).inspect();
        } catch {
          info = undefined;
        }
        const current = this.backends.get(backend.id);
        if (!current) continue;
        if (current.kind === 'worker') {
          this.updateWorker(current, info);
          continue;
        }
        const running = Boolean(info?.State.Running && !info.State.Restarting);
        const port = running && info && this.engine ? this.engine.publishedPort(info, this.containerPort(info)) : undefined;
        const url = port ? `http://127.0.0.1:${port}` : backend.url;
        const started = running ? info?.State.StartedAt : undefined;
        const seenStart = this.containerStarts.get(backend.id);
        if (started) this.containerStarts.set(backend.id, started);
        const restarted = started !== undefined && seenStart !== undefined && started !== seenStart;
        if (!running && current.health !== 'down') {
          this.event(`${backend.id}: container stopped; out of rotation`);
          this.backends.set(backend.id, { ...current, health: 'down', consecutivePasses: 0 });
          this.downSince.set(backend.id, Date.now());
        } else if (running && (current.health === 'down' || restarted)) {
          // The engine started it again (its process died: kill -9, out of memory): a new target to the health
          // checks, back in rotation after healthyThreshold passes, as the ALB treats a re-registered target.
          this.checkAsNew({ ...current, url, lastError: undefined }, (passes) => `restarted by the engine; rejoins the rotation after ${passes}`);
          if (url !== current.url) {
            this.config.backends = this.config.backends.map((entry) => (entry.id === backend.id ? { ...entry, url } : entry));
            this.persist();
          }
        } else if (running && url !== current.url) {
          this.backends.set(backend.id, { ...current, url });
          this.config.backends = this.config.backends.map((entry) => (entry.id === backend.id ? { ...entry, url } : entry));
          this.persist();
        }
      }
      await this.replaceDead();
      await this.restartDependencies();
    } catch (error) {
      this.event(`supervisor: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.replacing = false;
    }
  }

  /**
   * Starts a stopped database or cache again (`docker stop`; the engine's unless-stopped policy restarts only
   * crashes): the app recovers without a deploy. Only while a release is current.
   */
  private async restartDependencies(): Promise<void> {
    if (!this.config.supervise || !this.docker) return;
    const containers = await this.docker.listContainers({ all: true, filters: { label: labelFilters(this.config.app, this.config.env) } });
    for (const entry of stoppedDependencies(containers, LABEL_ROLE)) {
      const name = entry.Names[0]?.replace(/^\//, '') ?? entry.Id.slice(0, 12);
      try {
        await this.docker.getContainer(entry.Id).start();
        this.event(`${name}: the ${entry.Labels[LABEL_ROLE]} was stopped (${entry.Status}); started it again`);
      } catch (error) {
        if (!/already started/.test(String(error))) this.event(`${name}: the ${entry.Labels[LABEL_ROLE]} is stopped and did not start: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private updateWorker(current: BackendStatus, info: Docker.ContainerInspectInfo | undefined): void {
    const verdict = workerHealth({
      running: Boolean(info?.State.Running),
      restarting: Boolean(info?.State.Restarting),
      startedAt: info?.State.StartedAt,
      healthStatus: info?.State.Health?.Status as 'starting' | 'healthy' | 'unhealthy' | 'none' | undefined,
      exitCode: info && !info.State.Running ? info.State.ExitCode : undefined,
    }, Date.now());
    if (verdict.health === current.health) return;
    this.event(`${current.id}: ${current.health} -> ${verdict.health}${verdict.error ? ` (${verdict.error})` : ''}`);
    const next: BackendStatus = { ...current, health: verdict.health, lastCheck: new Date().toISOString(), lastError: verdict.error };
    this.promote(current.id, next);
    this.backends.set(current.id, next);
  }

  /** The container port berth published (an image may EXPOSE others, e.g. one image for two web services). */
  private containerPort(info: Docker.ContainerInspectInfo): number {
    const key = Object.keys(info.HostConfig.PortBindings ?? {})[0] ?? Object.keys(info.Config.ExposedPorts ?? {})[0] ?? '';
    return Number.parseInt(key, 10);
  }

  /**
   * Replaces replicas of the supervised release whose container is gone or exited (not ones the engine is
   * restarting), and workers whose health command failed: ECS stops an unhealthy task and starts another.
   */
  private async replaceDead(): Promise<void> {
    const supervise = this.config.supervise;
    if (!supervise || !this.docker || !this.engine) return;
    const dead = [...this.backends.values()].filter((backend) => backend.release === supervise.release && backend.role !== 'draining'
      && (backend.health === 'down' || (backend.kind === 'worker' && backend.health === 'unhealthy')));
    for (const backend of dead) {
      if (backend.health === 'down') {
        let restarting = false;
        let exists = true;
        try {
          const info = await this.docker.getContainer(backend.containerId).inspect();
          restarting = info.State.Restarting || info.State.Running;
        } catch {
          exists = false;
        }
        if (restarting) continue;
        // A process that died (kill -9, out of memory) leaves its container exited for a moment before the engine's
        // restart policy starts it again: replacing it then would remove the container the engine is restarting.
        if (exists && Date.now() - (this.downSince.get(backend.id) ?? 0) < ENGINE_RESTART_GRACE_MS) continue;
      }
      const secretFile = new LocalSecretFile(this.files.secrets);
      const plan = parseReleasePlan(readFileSync(supervise.planFile, 'utf8'), secretFile.read().generated.databasePassword);
      const service = servicePlan(plan, backend.service);
      if (!service) continue;
      // Another project deployed these names with --take-over: its replicas are not ours to replace.
      // ownership.js loads the Docker client: imported here, after the balancer listens.
      const { takenOver } = await import('./ownership.js');
      if (await takenOver(this.docker, plan.app, plan.env, service.container.labels[LABEL_PROJECT])) {
        if (!this.takenOver) this.event('another project took over this environment (berth deploy --take-over): replicas are no longer replaced');
        this.takenOver = true;
        return;
      }
      const secrets = secretFile.values();
      const replica = await this.engine.startReplica(this.docker, plan, service, this.engine.replicaIndex(backend.id), secrets);
      await this.engine.removeContainer(this.docker, backend.containerId);
      const entries = this.config.backends.filter((entry) => entry.id !== backend.id);
      entries.push({ id: replica.name, containerId: replica.id, release: supervise.release, service: replica.service, kind: replica.kind, url: replica.url, role: 'candidate', promoteWhenHealthy: true });
      this.setBackends(entries);
      this.persist();
      this.event(`${backend.id}: ${backend.health === 'down' ? 'stopped' : 'unhealthy'}; replaced by ${replica.name}`);
    }
  }
}
