/** berth cost as a user runs it: in-process CLI, a real synthesis, no AWS call. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';

const dirs: string[] = [];
afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cost-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'berth.yml'), yaml);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  return join(dir, 'berth.yml');
}

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr += String(chunk); return true; });
  // --region reaches the AWS settings through the environment (src/cli/main.ts): keep one run's flag out of the next.
  const saved = { BERTH_AWS_REGION: process.env.BERTH_AWS_REGION, AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
  try {
    const code = await main(['node', 'berth', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

const localOnly = project('app: solo\nservice:\n  port: 8080\n');
const noRegion = project('app: roam\nservice:\n  port: 8080\nenvironments:\n  dev: {}\n');
const withDev = project(`app: shop
region: us-east-1
service:
  port: 8080
  count: 2
environments:
  dev: {}
`);

describe('berth cost', () => {
  it('says the local environment costs nothing when there is no AWS environment', async () => {
    const result = await run('cost', '--config', localOnly);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/local environment runs on your Docker engine: it costs nothing on AWS/);
    const json = JSON.parse((await run('cost', '--config', localOnly, '--json')).stdout);
    expect(json).toMatchObject({ env: 'local', monthly: { min: 0, max: 0 }, currency: 'USD', items: [], unpriced: [] });
  });

  it('prices the first AWS environment from local, as one JSON document whose items make the total', async () => {
    const result = await run('cost', '--config', withDev, '--json', '--egress-gb', '100');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.env).toBe('dev');
    expect(json.note).toMatch(/pricing "dev"/);
    expect(json).toMatchObject({ region: 'us-east-1', currency: 'USD', stack: 'berth-shop-dev' });
    const items = json.items as Array<{ resource: string; type: string; monthly: { min: number; max: number }; basis: string }>;
    expect(items.find((item) => item.type === 'AWS::ECS::Service' && item.resource === 'Service')?.basis)
      .toBe('2 tasks × 730 h × (0.25 vCPU × $0.04048 + 0.5 GB × $0.004445)');
    // Without a domain the app is served through CloudFront: the 100 GB leave through it, not as the load balancer's data transfer.
    expect(items.find((item) => item.resource === 'data transfer out')).toBeUndefined();
    expect(items.find((item) => item.resource === 'LoadBalancerCloudFrontDistribution data out')).toMatchObject({ monthly: { min: 8.5, max: 8.5 }, basis: "100 GB to viewers (assumed, --egress-gb) × $0.085/GB; before CloudFront's free tier" });
    const sum = items.reduce((total, item) => total + item.monthly.max, 0);
    expect(json.monthly.max).toBeCloseTo(sum, 2);
    expect(json.assumptions).toMatchObject({ hoursPerMonth: 730, egressGb: 100, lcus: 1, logsGb: 1, prices: 'data/prices/us-east-1.json' });
    expect(Array.isArray(json.unpriced)).toBe(true);
    expect(json.savings.map((saving: { kind: string }) => saving.kind)).toEqual(expect.arrayContaining(['arm64', 'spot', 'scale-to-zero-at-night']));
  }, 120_000);

  it('rejects a --what-if berth.yml would reject, before synthesizing', async () => {
    const result = await run('cost', '--config', withDev, '--env', 'dev', '--what-if', 'service.arch=arm65');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--what-if service\.arch=arm65: service\.arch: "arm65" is not allowed/);
    expect(result.stderr).not.toMatch(/Synthesizing/);
  });

  it('rejects a negative usage figure and --compare with --what-if', async () => {
    expect((await run('cost', '--config', withDev, '--env', 'dev', '--logs-gb', '-1')).stderr).toMatch(/--logs-gb -1: expected a number ≥ 0/);
    const both = await run('cost', '--config', withDev, '--env', 'dev', '--compare', 'local', '--what-if', 'service.cpu=512');
    expect(both.code).toBe(2);
  });

  it('says which region it priced and where that came from, instead of pricing us-east-1 silently', async () => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    const flagged = JSON.parse((await run('cost', '--config', noRegion, '--env', 'dev', '--region', 'eu-west-1', '--json')).stdout);
    expect(flagged).toMatchObject({ region: 'eu-west-1', assumptions: { regionFrom: '--region', prices: 'data/prices/eu-west-1.json' } });
    const fallback = await run('cost', '--config', noRegion, '--env', 'dev');
    expect(fallback.stdout).toContain('region from the default, us-east-1: berth.yml names no region for dev and neither --region nor AWS_REGION is set.');
    process.env.AWS_REGION = 'ap-south-1';
    const plan = JSON.parse((await run('plan', '--config', noRegion, '--env', 'dev', '--json')).stdout);
    expect(plan.cost).toMatchObject({ region: 'ap-south-1', regionFrom: 'AWS_REGION' });
    process.env.AWS_REGION = 'ap-south-1';
    expect((await run('plan', '--config', noRegion, '--env', 'dev')).stdout).toMatch(/in ap-south-1 \(region from AWS_REGION\) at the default usage assumptions/);
  }, 240_000);

  it('berth plan shows the monthly total, priced from the templates it synthesized', async () => {
    const json = JSON.parse((await run('plan', '--config', withDev, '--env', 'dev', '--json')).stdout);
    // 2 tasks $18.02 + their addresses $7.30 + ALB $16.43 + LCUs $5.84 + ALB addresses $7.30 + logs, alarms, ECR, egress
    expect(json.cost).toMatchObject({ currency: 'USD', region: 'us-east-1', unpriced: 0 });
    expect(json.cost.monthly.max).toBeGreaterThan(18.02 + 7.3 + 16.43 + 5.84 + 7.3);
    const text = await run('plan', '--config', withDev, '--env', 'dev');
    expect(text.stdout).toMatch(new RegExp(`Monthly cost {2}\\$${json.cost.monthly.max.toFixed(2).replace('.', '\\.')} in us-east-1`));
  }, 120_000);
});

