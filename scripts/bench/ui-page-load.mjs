import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { median } from './timing.mjs';

export const name = 'ui-page-load';

const CHROMIUM = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
const RUNS = 7;

/**
 * A 3-service environment: news-api's prod templates (ALB, PostgreSQL, Redis) with its ECS service, task
 * definition and scaling copied twice (api, worker), priced and drawn as berth ui draws it.
 */
async function threeServiceArchitecture(repo, load) {
  const { loadConfig } = await load('config/load.js');
  const { estimateEnvironment } = await load('cli/commands/cost-estimate.js');
  const { DEFAULT_USAGE } = await load('plan/cost/usage.js');
  const { priceTemplates } = await load('plan/cost/price-template.js');
  const { loadPriceTable } = await load('plan/cost/price-table.js');
  const { findSavings } = await load('plan/cost/savings.js');
  const { diagramFromTemplates } = await load('plan/diagram/aws-diagram.js');
  const { renderDiagramSvg, inlineSvg } = await load('plan/diagram/render-svg.js');
  const out = mkdtempSync(join(tmpdir(), 'berth-bench-ui-'));
  try {
    const config = loadConfig({ config: join(repo, 'examples', 'news-api', 'berth.yml'), env: 'prod' });
    const { templates } = await estimateEnvironment(config, DEFAULT_USAGE, out);
    const environment = JSON.parse(JSON.stringify(templates[1]));
    const resources = environment.template.Resources;
    const copied = Object.entries(resources).filter(([id, resource]) => /^Service(Task|TaskCount|9571)/.test(id) || resource.Type === 'AWS::ECS::Service');
    for (const suffix of ['Api', 'Worker']) {
      const renames = new Map(copied.map(([id]) => [id, `${id}${suffix}`]));
      for (const [id, resource] of copied) {
        let text = JSON.stringify(resource);
        for (const [from, to] of renames) text = text.replaceAll(`"${from}"`, `"${to}"`);
        const clone = JSON.parse(text);
        if (clone.Type === 'AWS::ECS::Service') clone.Properties.ServiceName = `${clone.Properties.ServiceName}-${suffix.toLowerCase()}`;
        resources[renames.get(id)] = clone;
      }
    }
    const all = [templates[0], environment];
    const table = loadPriceTable('us-east-1');
    const estimate = priceTemplates(all, table, DEFAULT_USAGE);
    const diagram = diagramFromTemplates({ app: 'news-api', env: 'prod', templates: all, estimate });
    return { diagram, svg: inlineSvg(await renderDiagramSvg(diagram)), savings: findSavings(all, table, DEFAULT_USAGE, { production: true }, estimate) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function fakeOperations(services) {
  const items = services.flatMap((service) => [0, 1].map((index) => ({ id: `${service}-${index}`, service, release: 12, status: 'RUNNING', health: 'healthy' })));
  const releases = Array.from({ length: 12 }, (_, index) => ({
    number: 12 - index, image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/news-api@sha256:${String(index).padStart(64, '0')}`, digest: `sha256:${String(index).padStart(64, '0')}`,
    createdAt: new Date(Date.UTC(2026, 0, 12 - index)).toISOString(), createdBy: 'arn:aws:iam::123456789012:user/ana', status: index === 0 ? 'deployed' : 'superseded',
  }));
  return {
    status: async () => ({ app: 'news-api', env: 'prod', target: 'aws', url: 'http://example.invalid', release: releases[0], tasks: { desired: items.length, running: items.length, pending: 0, healthy: items.length, items }, deployments: [], dependencies: [], alarms: [], notes: [] }),
    releases: async () => releases,
    logs: async (_request, onLine) => { for (let i = 0; i < 200; i += 1) onLine({ timestamp: new Date(Date.UTC(2026, 0, 12, 0, 0, i)).toISOString(), source: services[i % 3], message: `GET /items/${i} 200` }); },
  };
}

/** Page load of berth ui for an environment with 3 services, in Chromium: navigation to the load event, and to the diagram drawn. */
export async function run({ nodeStart, repo }) {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: no Chromium at ${CHROMIUM} (npm run test-tools installs it)`);
    return [];
  }
  const load = (path) => import(pathToFileURL(join(repo, 'dist', path)).href);
  const { startUiServer } = await load('dashboard/server.js');
  const { chromium } = await import('playwright-core');
  const architecture = await threeServiceArchitecture(repo, load);
  const services = architecture.diagram.nodes.filter((node) => node.kind === 'service').map((node) => node.label);
  if (services.length !== 3) throw new Error(`expected 3 services in the fixture, found ${services.length}`);
  const scratch = mkdtempSync(join(tmpdir(), 'berth-bench-ui-state-'));
  const operations = fakeOperations(services);
  const source = {
    app: 'news-api',
    environments: [{ name: 'prod', target: 'aws' }],
    architecture: async () => architecture,
    operations: async () => operations,
    liveDataBlocked: () => undefined,
    lastFailure: async () => undefined,
    journalFile: () => join(scratch, 'progress.jsonl'),
    rollback: async () => { throw new Error('not in the benchmark'); },
  };
  const server = await startUiServer({ source, host: '127.0.0.1', port: 0 });
  const profile = mkdtempSync(join(tmpdir(), 'berth-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const pageUrl = `http://127.0.0.1:${server.port}/env/prod/`;
    const measure = async (target) => {
      const started = performance.now();
      await page.goto(target, { waitUntil: 'load' });
      const loaded = (performance.now() - started) / 1000;
      await page.waitForSelector('#part-architecture svg g.node');
      const drawn = (performance.now() - started) / 1000;
      return { loaded, drawn };
    };
    const first = await measure(server.url.replace('/?', '/env/prod/?'));
    const loads = [];
    const draws = [];
    for (let i = 0; i < RUNS; i += 1) {
      const { loaded, drawn } = await measure(pageUrl);
      loads.push(loaded);
      draws.push(drawn);
    }
    const bytes = (await (await page.request.get(pageUrl)).body()).length;
    console.log(`3 services, ${architecture.diagram.nodes.length} parts on the diagram, page ${Math.round(bytes / 1024)} KB; budget: under 1 s`);
    return [
      { label: 'berth ui first page load (token redirect)', seconds: first.loaded, baseline: nodeStart },
      { label: `berth ui page load, 3 services (median of ${RUNS})`, seconds: median(loads), baseline: nodeStart },
      { label: `berth ui diagram drawn, 3 services (median of ${RUNS})`, seconds: median(draws), baseline: nodeStart },
    ];
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}
