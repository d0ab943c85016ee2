/**
 * berth ui end to end, in Debian's Chromium, for an app of news-api's shape (web + PostgreSQL + Redis, a prod AWS
 * environment) on the real local engine (run it under the engine lock: flock /tmp/berth-engine.lock npx vitest run
 * test/ui-browser.engine.test.ts). The page draws the diagram and the cost chart, shows a deploy started in another
 * terminal while it runs, lists the releases, rolls back through its button after confirmation, answers 401 without
 * the token, and makes no request outside 127.0.0.1. Screenshots go to test-results/ui/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type Browser } from './browser-support.js';
import { berth, buildBerth, fixtureApp, get, ROOT, type FixtureApp } from './local-support.js';

const PORT = 18230;
let app: FixtureApp;
let ui: ChildProcess | undefined;
let url: string;
let origin: string;
let browser: Browser;

function startUi(fixture: FixtureApp): Promise<string> {
  return new Promise((resolve, reject) => {
    ui = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), 'ui', '--config', join(fixture.dir, 'berth.yml'), '--port', '0', '--json'], { env: fixture.env, cwd: fixture.dir });
    let out = '';
    let err = '';
    ui.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      try {
        resolve((JSON.parse(out) as { url: string }).url);
      } catch {
        // the document is not complete yet
      }
    });
    ui.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    ui.on('exit', (code) => reject(new Error(`berth ui exited ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  buildBerth();
  app = fixtureApp(`app: ui-e2e
region: us-east-1
service:
  port: 8000
  count: 1
  health: { path: /health, interval: 5, timeout: 4, healthyThreshold: 2, unhealthyThreshold: 2, gracePeriod: 0 }
database: postgres
cache: redis
local: { port: ${PORT} }
environments:
  prod:
    service: { count: { min: 2, max: 6, cpu: 70 } }
`);
  app.setVersion('v1');
  const first = await berth(app, ['deploy']);
  expect(first.code, first.stderr).toBe(0);
  url = await startUi(app);
  origin = new URL(url).origin;
  browser = await openBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (ui && ui.exitCode === null) {
    // Wait until it has stopped: a rollback it started must not race the destroy below.
    const exited = new Promise((resolve) => ui!.once('exit', resolve));
    ui.kill('SIGTERM');
    await exited;
  }
  if (app) await berth(app, ['destroy', '--purge', '--yes']);
}, 300_000);

describe('berth ui in a browser', () => {
  it('answers 401 without the token, for the page, its parts, its events and the rollback', async () => {
    for (const path of ['/', '/env/local/', '/env/local/part/status', '/env/local/events', '/assets/page.js']) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(401);
    }
    expect((await fetch(`${origin}/env/local/rollback`, { method: 'POST', body: '{"to":1}' })).status).toBe(401);
    expect(new URL(url).hostname).toBe('127.0.0.1');
  });

  it('shows the local diagram (containers, balancer, volumes, ports), the live release and the timeline', async () => {
    const { page } = browser;
    await page.goto(url);
    expect(new URL(page.url()).search).toBe(''); // the token moved to a cookie
    await page.waitForSelector('#part-architecture svg g.node');
    const labels = await page.locator('#part-architecture svg g.node text').allTextContents();
    expect(labels.join(' ')).toContain('Load balancer');
    expect(labels.join(' ')).toContain('PostgreSQL');
    expect(labels.join(' ')).toContain('berth-ui-e2e-local-database-data');
    expect(await page.locator('#part-architecture svg g.edge text').allTextContents()).toEqual(expect.arrayContaining([`http ${PORT}`, 'tcp 8000', 'tcp 5432', 'tcp 6379']));
    await page.waitForSelector('#part-status [data-live-release="1"]');
    await page.waitForSelector('#connection:has-text("Live")');
    expect(await page.locator('#part-releases li.release').count()).toBe(1);
  });

  it('shows a deploy started in another terminal while it runs, then the new release as live', async () => {
    const { page } = browser;
    app.setVersion('v2');
    let deployDone = false;
    const deploy = berth(app, ['deploy']).then((result) => { deployDone = true; return result; });
    await page.waitForSelector('#part-progress .progress[data-state="running"] .step', { timeout: 120_000 });
    const seenWhileRunning = !deployDone;
    await browser.screenshot('deploy-progress');
    const result = await deploy;
    expect(result.code, result.stderr).toBe(0);
    expect(seenWhileRunning).toBe(true);
    await page.waitForSelector('#part-progress .progress[data-state="succeeded"]', { timeout: 30_000 });
    const steps = await page.locator('#part-progress li.step').allTextContents();
    expect(steps.some((text) => /done\s+Build/.test(text))).toBe(true);
    expect(steps.some((text) => /Health checks/.test(text))).toBe(true);
    await page.waitForSelector('#part-status [data-live-release="2"]', { timeout: 30_000 });
    await page.waitForSelector('#part-releases li.release.live[data-release="2"]');
    expect(await page.locator('#part-releases li.release').count()).toBe(2);
  }, 300_000);

  it('rolls back through the button after confirmation; the live release changes', async () => {
    const { page } = browser;
    expect((await get(`http://127.0.0.1:${PORT}/`)).body).toMatch(/^release v2/);
    const button = page.locator('#part-releases button.rollback[data-release="1"]');
    await button.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog#confirm-rollback');
    await dialog.waitFor({ state: 'visible' });
    expect(await page.locator('#confirm-text').textContent()).toContain('release 1');
    await browser.screenshot('rollback-confirm');
    const deployRun = await page.locator('#part-progress .progress').getAttribute('data-run');
    await dialog.locator('button[value="confirm"]').click();
    await page.waitForSelector(`#part-progress .progress:not([data-run="${deployRun}"])`, { timeout: 60_000 });
    expect(await page.locator('#part-progress .run').textContent()).toContain('rollback');
    await page.waitForSelector(`#part-progress .progress[data-state="succeeded"]:not([data-run="${deployRun}"])`, { timeout: 180_000 });
    await page.waitForSelector('#part-status [data-live-release="3"]', { timeout: 30_000 });
    await page.waitForSelector('#part-releases li.release.live[data-release="3"]');
    expect(await page.locator('#part-releases li.release[data-release="3"]').textContent()).toContain('rollback to 1');
    expect((await get(`http://127.0.0.1:${PORT}/`)).body).toMatch(/^release v1/);
    await page.locator('#part-logs input[name="filter"]').fill('GET /health');
    await page.locator('#part-logs button[type="submit"]').click();
    await page.waitForSelector('#part-logs table.logs caption:has-text("GET /health")', { timeout: 30_000 });
    await browser.screenshot('local');
  }, 300_000);

  it('draws the prod architecture and its cost chart (stacked by concern, minimum and maximum)', async () => {
    const { page } = browser;
    await page.goto(`${origin}/env/prod/`);
    await page.waitForSelector('#part-architecture svg g.node', { timeout: 120_000 });
    await page.waitForSelector('#part-cost svg.cost-chart rect.cost-segment');
    const nodes = await page.locator('#part-architecture svg g.node').count();
    expect(nodes).toBeGreaterThanOrEqual(8);
    const text = (await page.locator('#part-architecture svg').textContent()) ?? '';
    for (const part of ['LoadBalancer', 'Service', 'DatabaseInstance', 'CacheReplicationGroup', '/month']) expect(text).toContain(part);
    const bars = await page.locator('#part-cost svg.cost-chart text').allTextContents();
    expect(bars).toEqual(expect.arrayContaining(['minimum', 'maximum']));
    expect(await page.locator('#part-cost svg.cost-chart rect.cost-segment[data-concern="service"]').count()).toBe(2);
    expect(await page.locator('#part-status .problem').textContent()).toMatch(/AWS credentials|could not be read/);
    await page.locator('#part-architecture details.facts summary').click();
    expect(await page.locator('#part-architecture table.nodes tbody tr').count()).toBe(nodes);
    await browser.screenshot('prod');
    const diagramShot = join(ROOT, 'test-results', 'ui', 'prod-diagram.png');
    await page.locator('#part-architecture figure.diagram svg').screenshot({ path: diagramShot });
    if (process.env.BERTH_UPDATE_DOCS_IMAGES === '1') {
      mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
      copyFileSync(join(ROOT, 'test-results', 'ui', 'local.png'), join(ROOT, 'docs', 'images', 'ui-local.png'));
      copyFileSync(diagramShot, join(ROOT, 'docs', 'images', 'diagram-prod.png'));
    }
  }, 180_000);

  it('made no request outside 127.0.0.1', () => {
    expect(browser.outside).toEqual([]);
  });
});
