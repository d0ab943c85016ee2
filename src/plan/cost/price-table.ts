/** Dated regional price figures from data/prices/<region>.json: the only place prices come from. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { packageFile } from '../../package-files.js';
import { z } from 'zod';
import { UsageError } from '../../errors.js';

/** AWS prices monthly figures at 730 hours (8,760 h / 12). */
export const HOURS_PER_MONTH = 730;

const priceSchema = z.strictObject({
  usd: z.number().nonnegative(),
  unit: z.string().min(1),
  /** The day the figure was recorded from its source (YYYY-MM-DD). */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.url(),
  note: z.string().optional(),
});

const priceTableSchema = z.strictObject({
  region: z.string().min(1),
  currency: z.literal('USD'),
  about: z.string().optional(),
  prices: z.record(z.string(), priceSchema),
});

export type PriceFigure = z.infer<typeof priceSchema>;
export type PriceTable = z.infer<typeof priceTableSchema>;

/** data/prices at the package root, from src/plan/cost or dist/plan/cost alike. */
export const PRICE_DATA_DIR = `${packageFile('data', 'prices')}/`;

/** Regions that have a price file. */
export function pricedRegions(dir = PRICE_DATA_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length)).sort();
}

/** Validate a price table read from JSON; `shownAs` names the file in errors. */
export function parsePriceTable(data: unknown, shownAs: string): PriceTable {
  const result = priceTableSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new UsageError(`${shownAs}: not a valid price table: ${problems.join('; ')}`, 'each price needs usd, unit, date (YYYY-MM-DD) and source (URL)');
  }
  return result.data;
}

/** Read the price table of a region, or explain which regions have prices. */
export function loadPriceTable(region: string, dir = PRICE_DATA_DIR): PriceTable {
  const file = `${dir}${dir.endsWith('/') ? '' : '/'}${region}.json`;
  if (!existsSync(file)) {
    throw new UsageError(
      `no price data for region ${region} (berth has prices for: ${pricedRegions(dir).join(', ') || 'none'})`,
      `add data/prices/${region}.json in the same format as data/prices/us-east-1.json`,
    );
  }
  const table = parsePriceTable(JSON.parse(readFileSync(file, 'utf8')), `data/prices/${region}.json`);
  if (table.region !== region) throw new UsageError(`data/prices/${region}.json: says region "${table.region}"`, 'the file name and its region field must agree');
  return table;
}

/** A price figure by key, or undefined when the table does not have it. */
export function findPrice(table: PriceTable, key: string): PriceFigure | undefined {
  return table.prices[key];
}
