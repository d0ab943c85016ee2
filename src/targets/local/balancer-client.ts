/**
 * Finding, starting and talking to an environment's balancer process. It is found through its control
 * socket (control.sock in the state folder); started detached under its supervisor
 * (`node balancer-supervisor.js`, which starts it again when it dies); stopped with POST /shutdown. A signal
 * (SIGTERM) goes only to a process proven to be this environment's supervisor or balancer: the pid, start
 * time and command line recorded in its pid file must all match (process-identity.ts).
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { OperationError } from '../../errors.js';
import { compiledEntry } from '../../package-files.js';
import { STATE_FILES } from '../../model/index.js';
import type { BalancerConfig, BalancerStatus } from './balancer-model.js';
import { BERTH_CODE } from './code-version.js';
import { writePrivateFile } from './private-files.js';
import { parseIdentity, provenProcess } from './process-identity.js';

function request<T>(socketPath: string, method: string, path: string, body?: unknown, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ socketPath, method, path, timeout: timeoutMs, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`balancer: ${text}`));
        else resolve(JSON.parse(text) as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error('balancer control request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The compiled balancer entry (run by the supervisor). Under vitest too: the balancer always runs from dist/. */
export function daemonEntry(): string {
  return compiledEntry('targets/local/balancer-daemon.js');
}

/** The compiled supervisor entry (what berth starts). */
export function supervisorEntry(): string {
  return compiledEntry('targets/local/balancer-supervisor.js');
}

export class BalancerClient {
  readonly socket: string;
  readonly configFile: string;

  constructor(readonly dir: string, private readonly secretsFile: string) {
    this.socket = join(dir, STATE_FILES.controlSocket);
    this.configFile = join(dir, STATE_FILES.balancerConfig);
  }

  /** The running balancer's status, or undefined when none answers. */
  async status(): Promise<BalancerStatus | undefined> {
    if (!existsSync(this.socket)) return undefined;
    try {
      return await request<BalancerStatus>(this.socket, 'GET', '/status');
    } catch {
      return undefined;
    }
  }

  savedConfig(): BalancerConfig | undefined {
    if (!existsSync(this.configFile)) return undefined;
    return JSON.parse(readFileSync(this.configFile, 'utf8')) as BalancerConfig;
  }

  /** Sends a configuration to the running balancer, starting one when none runs. */
  async apply(config: BalancerConfig): Promise<BalancerStatus> {
    const running = await this.status();
    if (running && running.port === config.port) return request<BalancerStatus>(this.socket, 'PUT', '/config', config);
    // local.port changed: the balancer moves to the new address.
    if (running) await this.stop();
    writePrivateFile(this.configFile, `${JSON.stringify(config, null, 2)}\n`);
    await this.start(config.port);
    return (await this.status())!;
  }

  /**
   * Starts the balancer again from balancer.json when neither it nor its supervisor runs (e.g. both were killed,
   * or the machine restarted): what every berth command on the environment does first. Returns what it did.
   */
  async repair(): Promise<'running' | 'restarted' | 'nothing-to-run'> {
    const config = this.savedConfig();
    if (!config?.supervise) return 'nothing-to-run';
    if (await this.status()) return 'running';
    // A supervisor that lives is about to start the balancer again: leave it to it.
    if (provenProcess(join(this.dir, STATE_FILES.supervisorPid))) {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        if (await this.status()) return 'running';
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    this.removeStalePidFiles();
    await this.start(config.port);
    return 'restarted';
  }

  /**
   * Starts the running balancer again with this berth's code when it runs another's (berth was upgraded or rebuilt
   * since it started): stopped, then started from balancer.json and its saved health, about a second without
   * answers. Returns which berth it ran (`code` absent: one from before balancers reported it), or undefined when
   * nothing was restarted.
   */
  async upgrade(): Promise<{ code?: string } | undefined> {
    const config = this.savedConfig();
    const running = await this.status();
    if (!config || !running || running.code === BERTH_CODE) return undefined;
    await this.stop();
    await this.start(config.port);
    return running.code ? { code: running.code } : {};
  }

  private async start(port: number | undefined): Promise<void> {
    const entry = supervisorEntry();
    if (!existsSync(entry) || !existsSync(daemonEntry())) throw new OperationError(`the balancer program ${entry} is missing`, 'run `npm run build` in the berth checkout');
    const logFile = join(this.dir, STATE_FILES.balancerLog);
    const log = openSync(logFile, 'a', 0o600);
    chmodSync(logFile, 0o600);
    const child = spawn(process.execPath, [entry, this.dir, this.secretsFile], { detached: true, stdio: ['ignore', log, log], env: { ...process.env } });
    closeSync(log);
    child.unref();
    let exited: number | null = null;
    child.once('exit', (code) => { exited = code ?? 1; });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await this.status()) return;
      if (exited !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join('; ') : '';
    if (port === undefined) throw new OperationError(`the environment's supervisor did not start${tail ? `: ${tail}` : ''}`, `see ${logFile}`);
    throw new OperationError(`the load balancer did not start on 127.0.0.1:${port}${tail ? `: ${tail}` : ''}`, `free port ${port} or set local.port in berth.yml`);
  }

  /**
   * Stops the balancer and its supervisor; true when one was running. Asks through the control socket; a process
   * that does not stop within 5 s gets SIGTERM only when its identity is proven. Stale pid files are removed.
   */
  async stop(): Promise<boolean> {
    let stopped = false;
    if (await this.status()) {
      await request(this.socket, 'POST', '/shutdown').catch(() => undefined);
      stopped = true;
    }
    const pidFiles = [join(this.dir, STATE_FILES.supervisorPid), join(this.dir, STATE_FILES.balancerPid)];
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && pidFiles.some((file) => provenProcess(file))) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const file of pidFiles) {
      const proven = provenProcess(file);
      if (!proven) continue;
      try {
        process.kill(proven.pid, 'SIGTERM');
        stopped = true;
      } catch {
        // gone meanwhile
      }
    }
    this.removeStalePidFiles();
    return stopped;
  }

  /** Removes pid files that do not name a live process of this environment (a pid alone proves nothing). */
  private removeStalePidFiles(): void {
    for (const name of [STATE_FILES.supervisorPid, STATE_FILES.balancerPid]) {
      const file = join(this.dir, name);
      if (existsSync(file) && !provenProcess(file)) rmSync(file, { force: true });
    }
  }
}

/** The recorded pid of the environment's balancer, when its pid file holds an identity. */
export function balancerPid(stateDir: string): number | undefined {
  const file = join(stateDir, STATE_FILES.balancerPid);
  if (!existsSync(file)) return undefined;
  return parseIdentity(readFileSync(file, 'utf8'))?.pid;
}

/** Whether the environment's balancer (or its supervisor, about to start it) is alive, proven by identity. */
export function balancerProcessRunning(stateDir: string): boolean {
  return Boolean(provenProcess(join(stateDir, STATE_FILES.balancerPid)) ?? provenProcess(join(stateDir, STATE_FILES.supervisorPid)));
}
