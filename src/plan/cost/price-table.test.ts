import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPriceTable, pricedRegions } from './price-table.js';

describe('price data', () => {
  it('has us-east-1 and eu-west-1, every figure dated and sourced from an AWS pricing page', () => {
    expect(pricedRegions()).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
    for (const region of pricedRegions()) {
      const table = loadPriceTable(region);
      for (const figure of Object.values(table.prices)) {
        expect(figure.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
        expect(figure.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
  });

  it('prices the same things in every region', () => {
    const keys = pricedRegions().map((region) => Object.keys(loadPriceTable(region).prices).sort());
    for (const other of keys.slice(1)) expect(other).toEqual(keys[0]);
  });

  it('says which regions have prices when one has none', () => {
    expect(() => loadPriceTable('sa-east-1')).toThrow(/no price data for region sa-east-1 \(berth has prices for: .*us-east-1/);
  });

  it('names the field of a malformed table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-prices-'));
    writeFileSync(join(dir, 'us-east-1.json'), JSON.stringify({ region: 'us-east-1', currency: 'USD', prices: { 'alb.hour': { usd: 0.0225, unit: 'hour', date: 'yesterday', source: 'https://aws.amazon.com/' } } }));
    expect(() => loadPriceTable('us-east-1', dir)).toThrow(/prices\.alb\.hour\.date/);
  });
});
