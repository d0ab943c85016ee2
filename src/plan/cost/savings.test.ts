import { describe, expect, it } from 'vitest';
import { fixture } from '../../test-support/cost-templates.js';
import { priceTemplates } from './price-template.js';
import { loadPriceTable } from './price-table.js';
import { findSavings } from './savings.js';
import { DEFAULT_USAGE } from './usage.js';

const table = loadPriceTable('us-east-1');

describe('findSavings', () => {
  it('prices ARM, Spot and scaling to zero for a non-production x86 service', () => {
    const templates = [fixture('public-alb')];
    const before = priceTemplates(templates, table, DEFAULT_USAGE);
    const savings = findSavings(templates, table, DEFAULT_USAGE, { production: false });
    const byKind = Object.fromEntries(savings.map((saving) => [saving.kind, saving]));
    expect(Object.keys(byKind).sort()).toEqual(['arm64', 'scale-to-zero-at-night', 'spot']);
    // 2 tasks x 730 h x 0.25 vCPU x ($0.04048 - $0.03238) + 0.5 GB x ($0.004445 - $0.00356)
    expect(byKind.arm64!.monthly).toEqual({ min: 3.6, max: 3.6 });
    expect(byKind.arm64!.config).toBe('service.arch: arm64');
    // half the task-hours and their public addresses
    expect(byKind['scale-to-zero-at-night']!.monthly.max).toBeCloseTo((18.02 + 7.3) / 2, 1);
    expect(byKind['scale-to-zero-at-night']!.config).toBe('service.count.schedule: [{ cron: "0 20 * * *", min: 0, max: 0 }, { cron: "0 8 * * *", min: 2, max: 2 }]');
    expect(byKind.spot!.after.max).toBeLessThan(before.monthly.max);
    for (const saving of savings) expect(saving.after.max).toBeCloseTo(before.monthly.max - saving.monthly.max, 2);
  });

  it('only suggests what is safe in production', () => {
    const savings = findSavings([fixture('public-alb')], table, DEFAULT_USAGE, { production: true });
    expect(savings.map((saving) => saving.kind)).toEqual(['arm64']);
  });

  it('prices both ways out of NAT', () => {
    const savings = findSavings([fixture('private-nat')], table, DEFAULT_USAGE, { production: true });
    const endpoints = savings.find((saving) => saving.kind === 'no-nat-endpoints')!;
    const publicTasks = savings.find((saving) => saving.kind === 'no-nat-public-tasks')!;
    // NAT $32.85 + its address $3.65 + data $0.45, less 4 interface endpoints x 2 AZs x $7.30 = a loss: not suggested
    expect(endpoints).toBeUndefined();
    // less the tasks' own public addresses (0-4 tasks, 12 h a day)
    expect(publicTasks.monthly.min).toBeCloseTo(32.85 + 3.65 + 0.45 - 0.5 * 730 * 0.005, 1);
    expect(publicTasks.monthly.max).toBeCloseTo(32.85 + 3.65 + 0.45 - 2 * 730 * 0.005, 1);
  });

  it('has nothing to suggest when a service is already ARM, Spot and scheduled', () => {
    const savings = findSavings([fixture('private-nat')], table, DEFAULT_USAGE, { production: false });
    expect(savings.map((saving) => saving.kind)).toEqual(['no-nat-public-tasks']);
  });

  it('suggests endpoints when they cost less than the NAT they replace', () => {
    const heavyNat = { ...DEFAULT_USAGE, natGb: 500 };
    const savings = findSavings([fixture('private-nat')], table, heavyNat, { production: true });
    const endpoints = savings.find((saving) => saving.kind === 'no-nat-endpoints');
    // NAT 32.85 + its address 3.65 + 500 GB x $0.045 + the internet egress it carried (10 GB x $0.09)
    // against ECR api, ECR docker, logs and Secrets Manager endpoints: 4 x 2 AZs x $7.30 = $58.40
    expect(endpoints?.monthly.max).toBeCloseTo(32.85 + 3.65 + 22.5 + 0.9 - 58.4, 1);
  });
});
