/**
 * The architecture view of one environment: the priced diagram, its SVG and the savings hints. Synthesis is
 * synchronous CDK work that takes seconds, so the server runs it in a worker thread (architecture-worker.ts)
 * and stays responsive; without the compiled worker (tests run from the sources) it runs in-process.
 */
import { existsSync } from 'node:fs';
import { compiledEntry } from '../package-files.js';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/model.js';
import { BerthError } from '../errors.js';
import type { ArchitectureView } from './page-html.js';

export async function computeArchitecture(config: ResolvedConfig): Promise<ArchitectureView> {
  const [{ environmentDiagram }, { renderDiagramSvg, inlineSvg }] = await Promise.all([
    import('../cli/commands/plan-diagram.js'),
    import('../plan/diagram/render-svg.js'),
  ]);
  const { diagram, cost } = await environmentDiagram(config);
  return { diagram, svg: inlineSvg(await renderDiagramSvg(diagram)), savings: cost?.savings ?? [] };
}

export interface WorkerRequest {
  configFile: string;
  env: string;
}

export type WorkerReply = { ok: true; view: ArchitectureView } | { ok: false; message: string; hint?: string; exitCode?: number };

/** The compiled worker; under vitest (sources in .ts) the view is computed in-process instead. */
const WORKER = import.meta.url.endsWith('.ts') ? undefined : compiledEntry('dashboard/architecture-worker.js');

/** The architecture of `env` in berth.yml `configFile`, computed off the server's event loop when possible. */
export function architectureOf(configFile: string, env: string): Promise<ArchitectureView> {
  if (!WORKER || !existsSync(WORKER)) return computeArchitecture(loadConfig({ config: configFile, env }));
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { configFile, env } satisfies WorkerRequest });
    worker.once('message', (reply: WorkerReply) => {
      if (reply.ok) resolve(reply.view);
      else reject(new BerthError(reply.message, reply.exitCode, reply.hint));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new BerthError(`drawing ${env} stopped (exit ${code})`));
    });
  });
}
