import { appendFileSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagram } from '../plan/diagram/diagram.js';
import type { DeployOutcome, Release, StatusReport, TargetOperations } from '../targets/operations.js';
import { recordProgress } from '../terminal/progress-journal.js';
import type { EnvironmentSource } from './environment-source.js';
import { startUiServer, type UiServer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-ui-server-'));
const journal = join(dir, 'progress.jsonl');
const releases: Release[] = [
  { number: 2, image: 'berth-shop:local-release-2', digest: 'sha256:bbbb', createdAt: '2026-01-02T00:00:00Z', createdBy: 'ana', status: 'deployed' },
  { number: 1, image: 'berth-shop:local-release-1', digest: 'sha256:aaaa', createdAt: '2026-01-01T00:00:00Z', createdBy: 'ana', status: 'superseded' },
];
const rollbacks: Array<number | undefined> = [];
const status: StatusReport = {
  app: 'shop', env: 'local', target: 'local', url: 'http://127.0.0.1:18000', release: releases[0],
  tasks: { desired: 1, running: 1, pending: 0, healthy: 1, items: [{ id: 'berth-shop-local-r2-0', release: 2, status: 'running', health: 'healthy' }] },
  deployments: [], dependencies: [], alarms: [], notes: [],
};
const diagram: Diagram = {
  app: 'shop', env: 'prod', target: 'aws', region: 'us-east-1', currency: 'USD', monthly: { min: 30, max: 60 }, unpriced: [], groups: [],
  nodes: [
    { id: 'service:Service', kind: 'service', label: 'Service', detail: ['1–2 tasks'], concern: 'service', monthly: { min: 20, max: 50 }, prices: [], side: false },
    { id: 'load-balancer:Lb', kind: 'load-balancer', label: 'Lb', detail: [], concern: 'load balancer', monthly: { min: 10, max: 10 }, prices: [], side: false },
  ],
  edges: [{ from: 'load-balancer:Lb', to: 'service:Service', label: 'tcp 8000', kind: 'traffic' }],
};

const operations = {
  status: async () => status,
  releases: async () => releases,
  logs: async (_request: unknown, onLine: (line: { timestamp: string; source: string; message: string }) => void) => {
    onLine({ timestamp: '2026-01-02T00:00:01Z', source: 'r2-0', message: 'GET /health 200' });
    onLine({ timestamp: '2026-01-02T00:00:02Z', source: 'r2-0', message: 'GET /items 500' });
  },
} as unknown as TargetOperations;

const source: EnvironmentSource = {
  app: 'shop',
  environments: [{ name: 'local', target: 'local' }, { name: 'prod', target: 'aws' }],
  architecture: async () => ({ diagram, svg: '<svg id="test-diagram"></svg>', savings: [] }),
  operations: async () => operations,
  liveDataBlocked: (env) => (env === 'prod' ? 'no AWS credentials found' : undefined),
  lastFailure: async () => undefined,
  journalFile: () => journal,
  rollback: async (_env, to): Promise<DeployOutcome> => {
    rollbacks.push(to);
    const run = recordProgress(journal, 'rollback', { step: () => ({ update() {}, succeed() {}, fail() {}, warn() {} }), info() {}, warn() {} });
    return run.track(async () => {
      run.progress.step(`Roll out release ${to}`).succeed();
      return { ok: true, env: 'local', reasons: [], logTail: [] };
    });
  },
};

let server: UiServer;
let base: string;
beforeAll(async () => {
  server = await startUiServer({ source, host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

const cookie = () => ({ cookie: `berth_ui_token=${server.token}` });

describe('berth ui server', () => {
  it('answers 401 without the token: pages, parts, events and actions', async () => {
    for (const path of ['/', '/env/local/', '/env/local/part/status', '/env/local/events', '/assets/page.js', '/env/local/diagram.svg']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(401);
    }
    expect((await fetch(`${base}/env/local/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/env/local/rollback`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('takes the token from the URL once, keeps it in an HttpOnly cookie and takes it out of the address', async () => {
    const first = await fetch(server.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    expect(first.headers.get('set-cookie')).toBe(`berth_ui_token=${server.token}; HttpOnly; SameSite=Strict; Path=/`);
    const home = await fetch(`${base}/`, { headers: cookie(), redirect: 'manual' });
    expect(home.headers.get('location')).toBe('/env/local/');
  });

  it('serves one page per environment with status, releases (rollback buttons), diagram and cost, loading nothing from elsewhere', async () => {
    const response = await fetch(`${base}/env/prod/`, { headers: cookie() });
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('<svg id="test-diagram"></svg>');
    expect(html).toContain('class="cost-chart"');
    expect(html).toMatch(/Live status could not be read:<\/strong> no AWS credentials found/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\/(?!127\.0\.0\.1)/);
    const local = await (await fetch(`${base}/env/local/`, { headers: cookie() })).text();
    expect(local).toContain('data-live-release="2"');
    expect(local).toContain('aria-label="Roll back to release 1"');
    expect(local).not.toContain('aria-label="Roll back to release 2"');
    expect((await fetch(`${base}/env/nope/`, { headers: cookie() })).status).toBe(404);
  });

  it('filters logs on request', async () => {
    const html = await (await fetch(`${base}/env/local/part/logs?filter=500`, { headers: cookie() })).text();
    expect(html).toContain('GET /items 500');
    expect(html).toContain('value="500"');
  });

  it('rollback needs the token in a header; then it runs and its progress arrives as an event', async () => {
    expect((await fetch(`${base}/env/local/rollback`, { method: 'POST', headers: cookie(), body: '{"to":1}' })).status).toBe(403);
    expect((await fetch(`${base}/env/local/rollback`, { method: 'POST', headers: { 'x-berth-token': server.token }, body: '{"to":"one"}' })).status).toBe(400);

    const events = await openEvents('/env/local/events');
    const accepted = await fetch(`${base}/env/local/rollback`, { method: 'POST', headers: { 'x-berth-token': server.token }, body: '{"to":1}' });
    expect(accepted.status).toBe(202);
    const part = await events.until((name, html) => name === 'progress' && html.includes('data-state="succeeded"'));
    expect(part).toContain('Roll out release 1');
    expect(rollbacks).toEqual([1]);
    events.close();
  });

  it('a deploy written to the journal by another process shows up live', async () => {
    const events = await openEvents('/env/local/events');
    const run = { run: 'other-process', at: new Date().toISOString() };
    appendFileSync(journal, `${JSON.stringify({ ...run, type: 'run-started', command: 'deploy', pid: 1 })}\n${JSON.stringify({ ...run, type: 'step-started', step: 1, title: 'Build Dockerfile for linux/amd64' })}\n`);
    const html = await events.until((name, body) => name === 'progress' && body.includes('Build Dockerfile'));
    expect(html).toContain('data-state="running"');
    events.close();
  });
});

/** A minimal server-sent events reader over node:http (fetch's body stream works too, but this closes cleanly). */
function openEvents(path: string): Promise<{ until(test: (name: string, html: string) => boolean): Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    const seen: Array<{ name: string; html: string }> = [];
    const waiters: Array<() => void> = [];
    const req = httpRequest(`${base}${path}`, { headers: cookie() }, (response) => {
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: part$/m.test(block) && data) seen.push(JSON.parse(data) as { name: string; html: string });
        }
        for (const wake of waiters.splice(0)) wake();
      });
      resolve({
        until: (test) => new Promise((done, fail) => {
          const timer = setTimeout(() => fail(new Error(`no matching event; saw ${seen.map((item) => item.name).join(', ')}`)), 10_000);
          const check = () => {
            const found = seen.find((item) => test(item.name, item.html));
            if (found) {
              clearTimeout(timer);
              done(found.html);
            } else waiters.push(check);
          };
          check();
        }),
        close: () => req.destroy(),
      });
    });
    req.on('error', (error) => { if (!String(error).includes('socket hang up')) reject(error); });
    req.end();
  });
}
