import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { architectureWarnings, securityGroupChain, synthesizeEnvironment } from './synthesize.js';

const FILE = `
app: shop
service: { port: 8000, image: example/shop:1 }
database: postgres
cache: redis
environments:
  local: {}
  prod: { domain: shop.example.com }
  dev: { network: { tasks: private, egress: nat }, alarms: false }
  solo: { service: { loadBalancer: false }, database: false, cache: false }
  plain: { https: false, alarms: false }
`;

describe('securityGroupChain', () => {
  it('lists internet -> load balancer -> tasks -> database and cache, and how tasks get out', () => {
    expect(securityGroupChain(configFromYaml(FILE, 'prod'))).toEqual([
      'internet (0.0.0.0/0) -> load balancer: tcp 80 (redirect), 443',
      'load balancer -> tasks: tcp 8000',
      'tasks -> database: tcp 5432',
      'tasks -> cache: tcp 6379 (TLS)',
      'tasks -> internet: through their public IP (ECR, logs, secrets, outside APIs)',
    ]);
    expect(securityGroupChain(configFromYaml(FILE, 'solo'))[0]).toBe('internet (0.0.0.0/0) -> tasks (public IP, no load balancer): tcp 8000');
    expect(securityGroupChain(configFromYaml(FILE, 'dev')).at(-1)).toBe('tasks -> internet: through one NAT gateway');
    // Without a domain: CloudFront alone reaches the load balancer.
    expect(securityGroupChain(configFromYaml(FILE, 'dev')).slice(0, 3)).toEqual([
      'internet -> CloudFront: https 443 (http redirected)',
      'CloudFront (origin-facing prefix list of the region) -> load balancer: tcp 80, forwarded only with the secret origin header (else 403)',
      'load balancer -> tasks: tcp 8000',
    ]);
    expect(securityGroupChain(configFromYaml(FILE, 'plain'))[0]).toBe('internet (0.0.0.0/0) -> load balancer: tcp 80');
  });
});

describe('architectureWarnings', () => {
  it('says when the app is served over plain HTTP, when a NAT gateway costs money and when nobody gets the alarms', () => {
    const prod = architectureWarnings(configFromYaml(FILE, 'prod'));
    expect(prod.some((warning) => warning.includes('plain HTTP'))).toBe(false);
    expect(architectureWarnings(configFromYaml(FILE, 'plain'))).toEqual([expect.stringMatching(/^https: false: the app is served over plain HTTP, so passwords, session cookies and tokens travel in clear text/)]);
    expect(prod.some((warning) => warning.includes('no alarms.email'))).toBe(true);
    const dev = architectureWarnings(configFromYaml(FILE, 'dev'));
    expect(dev.some((warning) => warning.includes('NAT gateway'))).toBe(true);
    expect(dev.some((warning) => warning.includes('alarms'))).toBe(false);
  });
});

describe('synthesizeEnvironment', () => {
  it('refuses the local environment and an image that is not pinned by digest, before synthesizing', async () => {
    await expect(synthesizeEnvironment(configFromYaml(FILE, 'local'), { outdir: '/nonexistent/never-written' })).rejects.toThrow(UsageError);
    await expect(synthesizeEnvironment(configFromYaml(FILE, 'prod'), { outdir: '/nonexistent/never-written', image: 'example/shop:latest' }))
      .rejects.toThrow(/not an image by digest/);
  });
});

describe('synthesizeEnvironment with account and region', () => {
  it('leaves no context lookup for toolkit-lib to answer (availability zones stay tokens)', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const outdir = mkdtempSync(join(tmpdir(), 'berth-synth-account-'));
    const config = configFromYaml(`
app: shop
region: us-east-1
service: { port: 8000, image: example/shop:1 }
database: postgres
environments:
  prod: { account: "123456789012" }
`, 'prod');
    const result = await synthesizeEnvironment(config, { outdir });
    const manifest = JSON.parse(readFileSync(join(result.assemblyDir, 'manifest.json'), 'utf8')) as { missing?: unknown[] };
    expect(manifest.missing ?? []).toEqual([]);
    const template = readFileSync(result.stack.template, 'utf8');
    expect(template).toContain('Fn::GetAZs');
    expect(template).not.toContain('dummy1a');
  }, 120_000);
});
