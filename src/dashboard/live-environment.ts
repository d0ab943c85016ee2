/**
 * One environment as the UI sees it live: follows the progress journal (a deploy in another terminal shows up
 * as it runs), reads status and releases on a timer while someone watches, and pushes each part that changed
 * to the page as a server-sent event.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { BerthError } from '../errors.js';
import type { LogLine, Release, StatusReport } from '../targets/operations.js';
import type { JournalEvent } from '../terminal/progress-journal.js';
import { latestRun, parseJournal } from '../terminal/progress-journal.js';
import type { EnvironmentSource } from './environment-source.js';
import type { ArchitectureView, Readout } from './page-html.js';
import { architecturePart, costPart, failurePart, logsPart, progressPart, releasesPart, statusPart } from './page-html.js';

/** How often the journal is looked at, and status re-read while a run is under way / otherwise. */
export const TIMING = { journalMs: 300, busyStatusMs: 1500, idleStatusMs: 5000, awsIdleStatusMs: 30_000, keepAliveMs: 15_000 };

export type PartName = 'progress' | 'status' | 'releases' | 'failure' | 'logs' | 'architecture' | 'cost';

export function readoutOf(error: unknown): { error: string; hint?: string } {
  if (error instanceof BerthError) return { error: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  const message = error instanceof Error ? error.message : String(error);
  return { error: message.split('\n')[0] ?? message };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([work, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);
}

export class LiveEnvironment {
  private readonly subscribers = new Set<ServerResponse>();
  private readonly sent = new Map<string, string>();
  private run: JournalEvent[] = [];
  private offset = 0;
  private pendingText = '';
  private journalTimer?: NodeJS.Timeout;
  private statusTimer?: NodeJS.Timeout;
  private keepAlive?: NodeJS.Timeout;
  private architecture?: Readout<ArchitectureView>;
  private rollbackRunning = false;

  constructor(readonly env: string, private readonly source: EnvironmentSource) {
    this.readJournal();
  }

  get target(): 'local' | 'aws' {
    return this.source.environments.find((item) => item.name === this.env)?.target ?? 'local';
  }

  /** Start computing the architecture (synthesis takes seconds); parts say "pending" until it is ready. */
  warmArchitecture(): Promise<void> {
    if (this.architecture && !('pending' in this.architecture)) return Promise.resolve();
    this.architecture = { pending: this.target === 'aws' ? `Synthesizing ${this.env} and pricing it…` : 'Drawing…' };
    return this.source.architecture(this.env).then(
      (value) => { this.architecture = { value }; },
      (error: unknown) => { this.architecture = readoutOf(error); },
    ).then(() => {
      void this.push('architecture');
      void this.push('cost');
    });
  }

  private architectureReadout(): Readout<ArchitectureView> {
    if (!this.architecture) void this.warmArchitecture();
    return this.architecture ?? { pending: 'Drawing…' };
  }

  private readJournal(): boolean {
    const file = this.source.journalFile(this.env);
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size < this.offset) {
      // Moved aside when a new run started: read the new file from its start.
      this.offset = 0;
      this.pendingText = '';
      this.run = [];
    }
    if (size === this.offset) return false;
    const fd = openSync(file, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(size - this.offset);
      readSync(fd, buffer, 0, buffer.length, this.offset);
      text = this.pendingText + buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const end = text.lastIndexOf('\n');
    this.pendingText = end < 0 ? text : text.slice(end + 1);
    const events = parseJournal(end < 0 ? '' : text.slice(0, end));
    if (events.length === 0) return false;
    const newest = latestRun(events);
    if (newest.length > 0) this.run = newest;
    else {
      const current = this.run[0]?.run;
      this.run.push(...events.filter((event) => event.run === current));
    }
    return true;
  }

  get running(): boolean {
    return this.run.length > 0 && !this.run.some((event) => event.type === 'run-finished');
  }

  private async statusReadout(): Promise<Readout<StatusReport>> {
    const blocked = this.source.liveDataBlocked(this.env);
    if (blocked) return { error: blocked };
    try {
      return { value: await (await this.source.operations(this.env)).status() };
    } catch (error) {
      this.source.reset?.(this.env);
      return readoutOf(error);
    }
  }

  private async releasesReadout(): Promise<{ readout: Readout<Release[]>; live?: number }> {
    const blocked = this.source.liveDataBlocked(this.env);
    if (blocked) return { readout: { error: blocked } };
    try {
      const releases = await (await this.source.operations(this.env)).releases();
      return { readout: { value: releases }, live: releases.find((release) => release.status === 'deployed')?.number };
    } catch (error) {
      this.source.reset?.(this.env);
      return { readout: readoutOf(error) };
    }
  }

  async logs(filter: string, source: string): Promise<string> {
    const blocked = this.source.liveDataBlocked(this.env);
    if (blocked) return logsPart({ error: blocked }, filter, source);
    const lines: LogLine[] = [];
    const abort = new AbortController();
    try {
      const operations = await this.source.operations(this.env);
      const read = operations.logs({ follow: false, sinceSeconds: 3600, ...(filter ? { filter } : {}) }, (line) => {
        lines.push(line);
        if (lines.length > 2000) lines.shift();
      }, abort.signal);
      if ((await withTimeout(read, 15_000)) === 'timeout') abort.abort();
      return logsPart({ value: lines }, filter, source);
    } catch (error) {
      return logsPart(readoutOf(error), filter, source);
    }
  }

  /** One part's HTML as it is now. */
  async part(name: PartName): Promise<string> {
    switch (name) {
      case 'progress': return progressPart(this.run);
      case 'status': return statusPart(await this.statusReadout());
      case 'releases': {
        const { readout, live } = await this.releasesReadout();
        return releasesPart(readout, live);
      }
      case 'failure': {
        try {
          return failurePart(await this.source.lastFailure(this.env));
        } catch {
          return failurePart(undefined);
        }
      }
      case 'logs': return this.logs('', '');
      case 'architecture': return architecturePart(this.architectureReadout());
      case 'cost': return costPart(this.architectureReadout(), this.source.environments.filter((env) => env.target === 'aws').map((env) => env.name));
    }
  }

  /** A part for the first render: "pending" if reading it takes longer than `ms` (the page stays fast; events follow). */
  async quickPart(name: PartName, ms: number): Promise<string> {
    const result = await withTimeout(this.part(name), ms);
    return result === 'timeout' ? `<p class="pending" aria-busy="true">Reading ${name}…</p>` : result;
  }

  private async push(name: PartName, force = false): Promise<void> {
    if (this.subscribers.size === 0) return;
    const html = await this.part(name);
    if (!force && this.sent.get(name) === html) return;
    this.sent.set(name, html);
    const message = `event: part\ndata: ${JSON.stringify({ name, html })}\n\n`;
    for (const response of this.subscribers) response.write(message);
  }

  private async refreshLive(): Promise<void> {
    await Promise.all([this.push('status'), this.push('releases')]);
  }

  private scheduleStatus(): void {
    clearTimeout(this.statusTimer);
    if (this.subscribers.size === 0) return;
    const idle = this.target === 'aws' ? TIMING.awsIdleStatusMs : TIMING.idleStatusMs;
    this.statusTimer = setTimeout(() => {
      void this.refreshLive().finally(() => this.scheduleStatus());
    }, this.running ? TIMING.busyStatusMs : idle);
  }

  private pollJournal = (): void => {
    let changed = false;
    try {
      changed = this.readJournal();
    } catch {
      changed = false;
    }
    if (changed) {
      const finished = this.run.some((event) => event.type === 'run-finished');
      void this.push('progress').then(async () => {
        await this.refreshLive();
        if (finished) await this.push('failure');
      });
      this.scheduleStatus();
    }
  };

  /** A page subscribes to live updates: it gets every part now, then each change. */
  subscribe(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write('retry: 2000\n\n');
    this.subscribers.add(response);
    response.on('close', () => {
      this.subscribers.delete(response);
      if (this.subscribers.size === 0) this.stopTimers();
    });
    if (!this.journalTimer) this.journalTimer = setInterval(this.pollJournal, TIMING.journalMs);
    if (!this.keepAlive) this.keepAlive = setInterval(() => { for (const subscriber of this.subscribers) subscriber.write(': keep-alive\n\n'); }, TIMING.keepAliveMs);
    for (const name of ['progress', 'status', 'releases', 'failure', 'architecture', 'cost'] as const) void this.pushTo(response, name);
    this.scheduleStatus();
  }

  private async pushTo(response: ServerResponse, name: PartName): Promise<void> {
    const html = await this.part(name);
    if (!this.subscribers.has(response)) return;
    response.write(`event: part\ndata: ${JSON.stringify({ name, html })}\n\n`);
  }

  private stopTimers(): void {
    clearInterval(this.journalTimer);
    clearInterval(this.keepAlive);
    clearTimeout(this.statusTimer);
    this.journalTimer = undefined;
    this.keepAlive = undefined;
    this.statusTimer = undefined;
  }

  /** Start a rollback (the same code as `berth rollback`); its progress arrives through the journal. */
  startRollback(to: number | undefined): 'started' | 'busy' {
    if (this.rollbackRunning) return 'busy';
    this.rollbackRunning = true;
    void this.source.rollback(this.env, to)
      .catch(() => undefined) // recorded in the journal as a failed run
      .finally(() => {
        this.rollbackRunning = false;
        this.pollJournal();
        void this.refreshLive();
        void this.push('failure');
      });
    return 'started';
  }

  close(): void {
    for (const response of this.subscribers) response.end();
    this.subscribers.clear();
    this.stopTimers();
  }
}
