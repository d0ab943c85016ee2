/** The I/O around pricing: synthesize the environment, read its templates, price them. Loaded only when `berth cost` runs. */
import { cloudAssemblyDir } from '../../model/index.js';
import { readFileSync } from 'node:fs';
import type { ResolvedConfig } from '../../config/model.js';
import { synthesizeEnvironment } from '../../plan/aws/synthesize.js';
import type { CostEstimate } from '../../plan/cost/price-template.js';
import { cents, priceTemplates } from '../../plan/cost/price-template.js';
import type { PriceTable } from '../../plan/cost/price-table.js';
import { loadPriceTable } from '../../plan/cost/price-table.js';
import type { Saving } from '../../plan/cost/savings.js';
import { findSavings } from '../../plan/cost/savings.js';
import type { CfnTemplate, StackTemplate } from '../../plan/cost/template.js';
import type { UsageAssumptions } from '../../plan/cost/usage.js';
import type { Progress } from '../../terminal/progress.js';
import { resolveAwsSettings } from '../../targets/aws/aws-session.js';

/** Where prices come from when berth.yml names no region. */
export const FALLBACK_REGION = 'us-east-1';

export interface EnvironmentCost {
  env: string;
  /** The environment stack, berth-<app>-<env>. */
  stack: string;
  estimate: CostEstimate;
  savings: Saving[];
  /** Where the region came from: --region, berth.yml, AWS_REGION, AWS_DEFAULT_REGION, or the default (with why). */
  regionFrom: string;
  /** The price table's recording dates: the oldest and newest figure. */
  pricesRecorded: { from: string; to: string };
  /** What each service's own resources cost (its tasks and their addresses, a job's runs and schedule), in berth.yml's order. */
  services: ServiceCost[];
  /** The templates priced (registry and environment stacks), for the diagram. */
  templates: StackTemplate[];
}

/** One service's share: the price lines of the resources it owns. Shared resources (load balancer, database, logs, alarms) are not split. */
export interface ServiceCost {
  name: string;
  kind: 'web' | 'worker' | 'job';
  monthly: { min: number; max: number };
  /** The `resource` names of its price lines. */
  items: string[];
}

/** Groups price lines by the service owning their resource (pure). */
export function costByService(config: Pick<ResolvedConfig, 'services'>, estimate: CostEstimate, owners: Record<string, string>, stack: string): ServiceCost[] {
  return config.services.map((service) => {
    const items = estimate.items.filter((item) => item.stack === stack && item.logicalId !== undefined && owners[item.logicalId] === service.name);
    return {
      name: service.name,
      kind: service.kind,
      monthly: { min: cents(items.reduce((sum, item) => sum + item.monthly.min, 0)), max: cents(items.reduce((sum, item) => sum + item.monthly.max, 0)) },
      items: items.map((item) => item.resource),
    };
  });
}

/**
 * The region to price, by the same rule as every AWS client (src/targets/aws/aws-session.ts): --region, berth.yml,
 * AWS_REGION, AWS_DEFAULT_REGION; without any, us-east-1, said as the default so nobody mistakes it for theirs.
 */
export function costRegion(config: Pick<ResolvedConfig, 'region' | 'env' | 'file'>, environment: NodeJS.ProcessEnv = process.env): { region: string; from: string } {
  const settings = resolveAwsSettings(config, environment);
  if (settings.region && settings.regionSource) return { region: settings.region, from: settings.regionSource };
  return { region: FALLBACK_REGION, from: `the default, ${FALLBACK_REGION}: berth.yml names no region for ${config.env} and neither --region nor AWS_REGION is set` };
}

export function readTemplates(stackNames: readonly string[], paths: readonly string[]): StackTemplate[] {
  return paths.map((path, i) => ({ stack: stackNames[i] ?? path, template: JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate }));
}

function recorded(table: PriceTable): { from: string; to: string } {
  const dates = Object.values(table.prices).map((figure) => figure.date).sort();
  return { from: dates[0] ?? '', to: dates[dates.length - 1] ?? '' };
}

/** Synthesize (into `outdir`) and price one AWS environment. */
export async function estimateEnvironment(config: ResolvedConfig, usage: UsageAssumptions, outdir: string, progress?: Progress): Promise<EnvironmentCost> {
  const { region, from } = costRegion(config);
  const table = loadPriceTable(region);
  const step = progress?.step(`Synthesizing ${config.env}`);
  let synth;
  try {
    synth = await synthesizeEnvironment(config, { outdir });
    step?.succeed();
  } catch (error) {
    step?.fail();
    throw error;
  }
  const templates = readTemplates(synth.stackNames, synth.templates);
  const estimate = priceTemplates(templates, table, usage);
  return {
    env: config.env,
    stack: synth.stack.name,
    estimate,
    savings: findSavings(templates, table, usage, { production: config.production, manyServices: config.services.length > 1 }, estimate),
    regionFrom: from,
    pricesRecorded: recorded(table),
    services: costByService(config, estimate, synth.resourceOwners, synth.stack.name),
    templates,
  };
}

/** `.berth/<env>/cdk.out`, shared with `berth plan`; what-if runs synthesize beside it. */
export function assemblyDir(config: ResolvedConfig, variant?: string): string {
  return cloudAssemblyDir(config.dir, config.env, variant);
}

/** The monthly total `berth plan` shows: priced from the templates it just synthesized. */
export interface PlanCost {
  monthly: { min: number; max: number };
  currency: 'USD';
  region: string;
  /** Where the region came from (see costRegion). */
  regionFrom: string;
  unpriced: number;
}

/** Price a synthesis for `berth plan`; the reason instead when the region has no price data. */
export function priceSynthesis(config: ResolvedConfig, synth: { stackNames: string[]; templates: string[] }, usage: UsageAssumptions): PlanCost | { unavailable: string } {
  const { region, from } = costRegion(config);
  let table: PriceTable;
  try {
    table = loadPriceTable(region);
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
  const estimate = priceTemplates(readTemplates(synth.stackNames, synth.templates), table, usage);
  return { monthly: estimate.monthly, currency: 'USD', region, regionFrom: from, unpriced: estimate.unpriced.length };
}
