/**
 * Finding, starting and talking to an environment's balancer process. It is found through its control
 * socket (control.sock in the state folder); started detached with `node balancer-daemon.js`; stopped
 * with POST /shutdown (SIGTERM to the pid in balancer.pid as a fallback).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperationError } from '../../errors.js';
import type { BalancerConfig, BalancerStatus } from './balancer-model.js';

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

/** The compiled daemon entry (dist/...). Under vitest the sources are .ts, so use the build output. */
export function daemonEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return here.replace(/[\\/]src[\\/]/, '/dist/').replace(/balancer-client\.ts$/, 'balancer-daemon.js');
  return join(dirname(here), 'balancer-daemon.js');
}

export class BalancerClient {
  readonly socket: string;
  readonly configFile: string;

  constructor(readonly dir: string, private readonly secretsFile: string) {
    this.socket = join(dir, 'control.sock');
    this.configFile = join(dir, 'balancer.json');
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
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.configFile, `${JSON.stringify(config, null, 2)}\n`);
    await this.start(config.port);
    return (await this.status())!;
  }

  private async start(port: number | undefined): Promise<void> {
    const entry = daemonEntry();
    if (!existsSync(entry)) throw new OperationError(`the balancer program ${entry} is missing`, 'run `npm run build` in the berth checkout');
    const log = openSync(join(this.dir, 'balancer.log'), 'a');
    const child = spawn(process.execPath, [entry, this.dir, this.secretsFile], { detached: true, stdio: ['ignore', log, log], env: { ...process.env } });
    child.unref();
    let exited: number | null = null;
    child.once('exit', (code) => { exited = code ?? 1; });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await this.status()) return;
      if (exited !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const tail = existsSync(join(this.dir, 'balancer.log')) ? readFileSync(join(this.dir, 'balancer.log'), 'utf8').trim().split('\n').slice(-3).join('; ') : '';
    if (port === undefined) throw new OperationError(`the environment's supervisor did not start${tail ? `: ${tail}` : ''}`, `see ${join(this.dir, 'balancer.log')}`);
    throw new OperationError(`the load balancer did not start on 127.0.0.1:${port}${tail ? `: ${tail}` : ''}`, `free port ${port} or set local.port in berth.yml`);
  }

  /** Stops the balancer; true when one was running. */
  async stop(): Promise<boolean> {
    let stopped = false;
    if (await this.status()) {
      await request(this.socket, 'POST', '/shutdown').catch(() => undefined);
      stopped = true;
    }
    const pid = balancerPid(this.dir);
    if (pid !== undefined) {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && alive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
      if (alive(pid)) {
        try { process.kill(pid, 'SIGTERM'); stopped = true; } catch { /* gone */ }
      }
    }
    return stopped;
  }
}

/** The pid recorded in an environment's state folder, when there is one. */
export function balancerPid(stateDir: string): number | undefined {
  const pidFile = join(stateDir, 'balancer.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether the environment's balancer process is alive (it may still be starting its control socket). */
export function balancerProcessRunning(stateDir: string): boolean {
  const pid = balancerPid(stateDir);
  return pid !== undefined && alive(pid);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
