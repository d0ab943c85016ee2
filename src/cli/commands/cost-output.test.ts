import { describe, expect, it } from 'vitest';
import { fixture } from '../../test-support/cost-templates.js';
import { priceTemplates } from '../../plan/cost/price-template.js';
import { loadPriceTable } from '../../plan/cost/price-table.js';
import { findSavings } from '../../plan/cost/savings.js';
import { DEFAULT_USAGE } from '../../plan/cost/usage.js';
import type { EnvironmentCost } from './cost-estimate.js';
import { costToJson, describeComparison, describeCost, describePlanCost, describeWhatIf, money, moneyRange } from './cost-output.js';

const table = loadPriceTable('us-east-1');

function costOf(name: 'public-alb' | 'private-nat', env: string, usage = DEFAULT_USAGE): EnvironmentCost {
  const templates = [fixture(name)];
  const estimate = priceTemplates(templates, table, usage);
  return { env, stack: `berth-demo-${env}`, estimate, savings: findSavings(templates, table, usage, { production: false }, estimate), regionFrom: 'berth.yml', pricesRecorded: { from: '2024-02-01', to: '2026-11-23' }, services: [{ name: 'web', kind: 'web', monthly: estimate.items.filter((item) => item.type === 'AWS::ECS::Service').reduce((sum, item) => ({ min: sum.min + item.monthly.min, max: sum.max + item.monthly.max }), { min: 0, max: 0 }), items: ['Service'] }], templates };
}

describe('cost output', () => {
  it('formats money and ranges', () => {
    expect(money(9.006)).toBe('$9.01');
    expect(money(-3.6)).toBe('−$3.60');
    expect(moneyRange({ min: 1.28, max: 5.1 })).toBe('$1.28–$5.10');
    expect(moneyRange({ min: 2, max: 2 })).toBe('$2.00');
  });

  it('shows every line with its basis, the total, what is not priced, savings and assumptions', () => {
    const text = describeCost(costOf('public-alb', 'prod'), 'demo');
    expect(text).toMatch(/^demo · prod · us-east-1 · USD per month/);
    expect(text).toMatch(/Service\s+ECS::Service\s+\$18\.02\s+2 tasks × 730 h × \(0\.25 vCPU × \$0\.04048 \+ 0\.5 GB × \$0\.004445\)/);
    expect(text).toMatch(/Total {2}\$57\.02 per month\n/);
    expect(text).toMatch(/Not priced \(1\), not in the total:\n {2}Uploads {2}S3::Bucket: berth has no price rule/);
    expect(text).toMatch(/\$3\.60\/month {2}run the tasks on ARM/);
    expect(text).toMatch(/1 LCU per hour \(--lcus\)/);
  });

  it('compares two environments by type', () => {
    const text = describeComparison(costOf('public-alb', 'prod'), costOf('private-nat', 'dev'));
    expect(text.split('\n')[0]).toMatch(/^TYPE\s+prod\s+dev\s+DIFFERENCE$/);
    expect(text).toMatch(/EC2::NatGateway\s+\$0\.00\s+\$33\.30\s+\+\$33\.30/);
  });

  it('shows what a change does to the lines it touches and to the total', () => {
    const text = describeWhatIf(costOf('public-alb', 'prod'), costOf('public-alb', 'prod', { ...DEFAULT_USAGE, egressGb: 100 }), ['--egress-gb 100']);
    expect(text).toMatch(/data transfer out\s+\$0\.90\s+\$9\.00\s+100 GB/);
    expect(text).not.toMatch(/LoadBalancer/);
    expect(text).toMatch(/Total {2}\$57\.02 -> \$65\.12 per month \(\+\$8\.10\)/);
  });

  it('has the documented JSON fields', () => {
    const json = costToJson(costOf('public-alb', 'prod'));
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['env', 'region', 'monthly', 'currency', 'items', 'unpriced', 'assumptions']));
    expect(Object.keys(json.items[0]!)).toEqual(['resource', 'type', 'monthly', 'basis', 'stack']);
  });

  it('shows what each service costs when there are several, and lists them in the JSON', () => {
    const one = costOf('public-alb', 'prod');
    expect(describeCost(one, 'demo')).not.toContain('By service');
    const many: EnvironmentCost = { ...one, services: [...one.services, { name: 'fetch', kind: 'job', monthly: { min: 0.6, max: 6.01 }, items: ['ServiceFetchTask (scheduled runs)'] }] };
    expect(describeCost(many, 'demo')).toMatch(/By service[^\n]*\n\s+web\s+web\s+\$[\d.]+\n\s+fetch\s+job\s+\$0\.60–\$6\.01/);
    expect(costToJson(many).services).toEqual(many.services);
  });

  it('gives berth plan one line', () => {
    expect(describePlanCost({ monthly: { min: 56.92, max: 56.92 }, region: 'us-east-1', unpriced: 0 }, 'prod'))
      .toBe('Monthly cost  $56.92 in us-east-1 at the default usage assumptions (details: berth cost --env prod)');
    expect(describePlanCost({ unavailable: 'no price data for region sa-east-1' }, 'prod')).toMatch(/not estimated: no price data/);
  });
});
