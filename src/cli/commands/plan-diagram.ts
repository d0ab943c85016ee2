/**
 * `berth plan --diagram FILE.svg|FILE.png|-`: the architecture of one environment as a picture. AWS environments
 * are drawn from their synthesized templates and priced with `berth cost`'s lines; the local environment from
 * its local plan. Loaded only when --diagram is given.
 */
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import type { ResolvedConfig } from '../../config/model.js';
import { OperationError, UsageError } from '../../errors.js';
import { diagramFromTemplates } from '../../plan/diagram/aws-diagram.js';
import type { Diagram } from '../../plan/diagram/diagram.js';
import { formatMonthly } from '../../plan/diagram/diagram.js';
import { diagramFromLocalPlan } from '../../plan/diagram/local-diagram.js';
import { renderDiagramSvg } from '../../plan/diagram/render-svg.js';
import { DEFAULT_USAGE } from '../../plan/cost/usage.js';
import type { Progress } from '../../terminal/progress.js';
import { assemblyDir, estimateEnvironment } from './cost-estimate.js';
import type { EnvironmentCost } from './cost-estimate.js';
import { planLocalPreview } from './plan-local-output.js';

export type DiagramFormat = 'svg' | 'png';

/** The format a --diagram argument asks for: from the extension; `-` is SVG on stdout. */
export function diagramFormat(target: string): DiagramFormat {
  if (target === '-') return 'svg';
  const extension = extname(target).toLowerCase();
  if (extension === '.svg') return 'svg';
  if (extension === '.png') return 'png';
  throw new UsageError(`--diagram ${target}: expected a file ending in .svg or .png, or - for SVG on stdout`, 'for example --diagram architecture.svg');
}

export interface EnvironmentDiagram {
  diagram: Diagram;
  /** The cost estimate the prices come from (AWS environments). */
  cost?: EnvironmentCost;
}

/** Synthesize and price an AWS environment (or plan the local one) and draw it as data. */
export async function environmentDiagram(config: ResolvedConfig, progress?: Progress): Promise<EnvironmentDiagram> {
  if (config.target === 'local') return { diagram: diagramFromLocalPlan(planLocalPreview(config)) };
  let cost: EnvironmentCost | undefined;
  try {
    cost = await estimateEnvironment(config, DEFAULT_USAGE, assemblyDir(config), progress);
  } catch (error) {
    // A region without price data still gets a picture, without prices.
    if (!(error instanceof Error) || !/price data|data\/prices/.test(error.message)) throw error;
    const { synthesizeEnvironment } = await import('../../plan/aws/synthesize.js');
    const { readTemplates } = await import('./cost-estimate.js');
    const synth = await synthesizeEnvironment(config, { outdir: assemblyDir(config) });
    return { diagram: { ...diagramFromTemplates({ app: config.app, env: config.env, templates: readTemplates(synth.stackNames, synth.templates) }), note: `Not priced: ${error.message}` } };
  }
  return { diagram: diagramFromTemplates({ app: config.app, env: config.env, templates: cost.templates, estimate: cost.estimate }), cost };
}

/** SVG to PNG with resvg (a prebuilt binary that comes from the npm registry; system fonts). */
export async function svgToPng(svg: string): Promise<Buffer> {
  let Resvg: typeof ResvgClass;
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch (error) {
    throw new OperationError(
      `PNG output needs @resvg/resvg-js's prebuilt binary for ${process.platform}-${process.arch}, which could not be loaded (${(error as Error).message.split('\n')[0]})`,
      'write an SVG instead (--diagram architecture.svg), or reinstall berth with npm so the binary for this platform is fetched',
    );
  }
  const rendered = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
  return rendered.asPng();
}

export interface DiagramWritten {
  /** For people: what was drawn and where. */
  line: string;
  /** For --json (docs/json-output.md, "berth plan --diagram"). */
  json: { env: string; file: string; format: DiagramFormat; nodes: number; edges: number; monthly: { min: number; max: number } | null; currency: 'USD' | null };
}

/** Write the diagram where --diagram says; what was written (nothing for `-`, which writes to stdout). */
export async function writeDiagram(config: ResolvedConfig, target: string, progress: Progress, write: (text: string) => void): Promise<DiagramWritten | undefined> {
  const format = diagramFormat(target);
  const { diagram } = await environmentDiagram(config, progress);
  const step = progress.step(`Drawing ${config.app} (${config.env})`);
  const svg = await renderDiagramSvg(diagram);
  if (target === '-') {
    step.succeed();
    write(svg);
    return undefined;
  }
  const file = resolve(target);
  try {
    writeFileSync(file, format === 'png' ? await svgToPng(svg) : svg);
  } catch (error) {
    step.fail();
    if (error instanceof OperationError) throw error;
    throw new OperationError(`could not write ${file}: ${(error as Error).message}`, 'check that the folder exists and is writable');
  }
  step.succeed();
  const price = diagram.monthly ? `, ${formatMonthly(diagram.monthly)} per month` : '';
  return {
    line: `Diagram of ${config.app} (${config.env}): ${diagram.nodes.length} nodes, ${diagram.edges.length} connections${price} -> ${target}`,
    json: { env: config.env, file, format, nodes: diagram.nodes.length, edges: diagram.edges.length, monthly: diagram.monthly ?? null, currency: diagram.currency ?? null },
  };
}
