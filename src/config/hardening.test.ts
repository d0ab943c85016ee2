/** berth.yml's production settings for AWS: defaults, inheritance, and the problems a user gets. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../errors.js';
import { findService, primaryWebService } from '../model/index.js';
import { parseLatency } from './latency.js';
import { loadConfig } from './load.js';
import { ConfigError } from './problems.js';

function load(yaml: string, env?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-hardening-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  mkdirSync(join(dir, 'worker'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  return loadConfig({ config: join(dir, 'berth.yml'), cwd: dir, ...(env ? { env } : {}) });
}

function problemsOf(yaml: string, env?: string): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      expect(error.exitCode).toBe(EXIT_USAGE);
      return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const BASE = `
app: shop
region: us-east-1
service:
  port: 8000
database: postgres
environments:
  staging: {}
  prod: {}
`;

describe('defaults', () => {
  it('keeps 10 releases per environment, serves https, alarms at 1% errors and a 2 s p99, and lets the database grow to 5× its storage', () => {
    const config = load(BASE, 'prod');
    expect(config.registry.keepReleases).toBe(10);
    expect(config.https).toBe(true);
    expect(config.alarms).toEqual({ enabled: true, latencyP99: 2, errorRate: 1, dashboard: false });
    expect(config.database).toMatchObject({ storage: 20, maxStorage: 100, backupWindow: '03:00-04:00', maintenanceWindow: 'sun:04:30-sun:05:30' });
    const web = primaryWebService(config)!;
    expect(web).toMatchObject({ spot: false, spotStrategy: { base: 0, share: 100 }, permissions: [], managedPolicies: [], readonlyRootFilesystem: false });
    expect(config.network.vpcId).toBeUndefined();
  });

  it('lists what the shared repository keeps of every environment, production first, templates last', () => {
    const config = load(`${BASE}  dev: { registry: { keepReleases: 3 } }
  preview: { template: pr-*, registry: { keepReleases: 2 } }
`, 'staging');
    expect(config.registry.retention).toEqual([
      { environment: 'prod', tagPattern: 'prod-release-*', production: true, keepReleases: 10 },
      { environment: 'staging', tagPattern: 'staging-release-*', production: false, keepReleases: 10 },
      { environment: 'dev', tagPattern: 'dev-release-*', production: false, keepReleases: 3 },
      { environment: 'pr-*', tagPattern: 'pr-*-release-*', production: false, keepReleases: 2 },
    ]);
    // The same list whichever environment is loaded: the registry stack is one per app.
    expect(load(`${BASE}  dev: { registry: { keepReleases: 3 } }\n  preview: { template: pr-*, registry: { keepReleases: 2 } }\n`, 'pr-7').registry.retention).toEqual(config.registry.retention);
  });
});

describe('alarms', () => {
  it('reads the p99 threshold in seconds or milliseconds, the error rate and the dashboard', () => {
    const config = load(`${BASE.replace('database: postgres', 'alarms: { email: ops@example.com, latencyP99: 500ms, errorRate: 2, dashboard: true }')}`, 'prod');
    expect(config.alarms).toEqual({ enabled: true, email: 'ops@example.com', latencyP99: 0.5, errorRate: 2, dashboard: true });
    expect([parseLatency('2s'), parseLatency(1.5), parseLatency('750 ms'), parseLatency('fast')]).toEqual([2, 1.5, 0.75, undefined]);
  });

  it('refuses a latency that is not one', () => {
    expect(problemsOf(BASE.replace('database: postgres', 'alarms: { latencyP99: soon }'))).toEqual(['alarms.latencyP99: "soon" is not valid: expected a response time such as 2s, 500ms or 1.5 (seconds)']);
    expect(problemsOf(BASE.replace('database: postgres', 'alarms: { latencyP99: 5000s }'))).toEqual(['alarms.latencyP99: "5000s" is out of range (expected 10ms to 3600s, such as 2s or 500ms)']);
  });
});

describe('permissions', () => {
  const FILE = `
app: shop
permissions:
  - { actions: [ses:SendEmail], resources: ["arn:aws:ses:us-east-1:123456789012:identity/example.com"] }
managedPolicies: [AmazonS3ReadOnlyAccess]
services:
  web:
    port: 8000
    permissions:
      - { actions: [s3:GetObject, s3:PutObject], resources: ["arn:aws:s3:::shop-uploads/*"] }
  worker:
    kind: worker
    managedPolicies: [CloudWatchAgentServerPolicy]
environments:
  prod: {}
`;

  it('gives each service the top level statements and policies plus its own, like secrets', () => {
    const config = load(FILE, 'prod');
    expect(findService(config, 'web')!.permissions).toEqual([
      { actions: ['ses:SendEmail'], resources: ['arn:aws:ses:us-east-1:123456789012:identity/example.com'] },
      { actions: ['s3:GetObject', 's3:PutObject'], resources: ['arn:aws:s3:::shop-uploads/*'] },
    ]);
    expect(findService(config, 'web')!.managedPolicies).toEqual(['AmazonS3ReadOnlyAccess']);
    expect(findService(config, 'worker')!.permissions).toHaveLength(1);
    expect(findService(config, 'worker')!.managedPolicies).toEqual(['AmazonS3ReadOnlyAccess', 'CloudWatchAgentServerPolicy']);
  });

  it('refuses every action on every resource (exit 2) and names the statement', () => {
    expect(problemsOf(FILE.replace('[s3:GetObject, s3:PutObject], resources: ["arn:aws:s3:::shop-uploads/*"]', '["*"], resources: ["*"]'))).toEqual([
      'services.web.permissions[0]: grants every action on every resource (the whole AWS account) to the app',
    ]);
  });

  it('refuses actions and resources that are not IAM names', () => {
    expect(problemsOf(FILE.replace('[ses:SendEmail], resources: ["arn:aws:ses:us-east-1:123456789012:identity/example.com"]', '[SendEmail], resources: [my-bucket]'))).toEqual([
      'permissions[0].actions[0]: "SendEmail" is not an IAM action (expected service:Action such as s3:GetObject)',
      'permissions[0].resources[0]: "my-bucket" is not an ARN (expected arn:aws:..., or * where the action has no resource-level permissions)',
    ]);
    expect(problemsOf(FILE.replace('[AmazonS3ReadOnlyAccess]', '["not a policy"]'))).toEqual([
      'managedPolicies[0]: "not a policy" is not valid: expected a managed policy name such as AmazonS3ReadOnlyAccess, or its ARN',
    ]);
  });
});

describe('registry credentials', () => {
  it('belong to an image in a private registry other than ECR', () => {
    const config = load(`
app: shop
services:
  web: { port: 8000, image: "ghcr.io/acme/shop:1.4", registryCredentials: GHCR_PULL }
  worker: { kind: worker }
environments: { prod: {} }
`, 'prod');
    expect(findService(config, 'web')!.registryCredentials).toBe('GHCR_PULL');
    expect(findService(config, 'worker')!.registryCredentials).toBeUndefined();
  });

  it('are refused for an ECR image or an image berth builds', () => {
    expect(problemsOf(`
app: shop
service: { port: 8000, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:${'a'.repeat(64)}", registryCredentials: PULL }
`)).toEqual([expect.stringMatching(/^service\.registryCredentials: 123456789012\.dkr\.ecr.* is in Amazon ECR: ECS pulls it with the task execution role/)]);
    expect(problemsOf('app: shop\nservice: { port: 8000, registryCredentials: PULL }\n')).toEqual([
      'service.registryCredentials: applies to an image pulled from a private registry, but this service runs an image berth builds and pushes to ECR',
    ]);
  });
});

describe('spot', () => {
  it('keeps an on-demand base with Spot on top', () => {
    const web = primaryWebService(load(`${BASE}  dev: { service: { count: 4, spot: { base: 1, share: 75 } } }\n`, 'dev'))!;
    expect(web.spot).toBe(true);
    expect(web.spotStrategy).toEqual({ base: 1, share: 75 });
  });

  it('is allowed in production only above an on-demand base', () => {
    expect(primaryWebService(load(`${BASE.replace('prod: {}', 'prod: { service: { count: 3, spot: { base: 1 } } }')}`, 'prod'))!.spotStrategy).toEqual({ base: 1, share: 100 });
    for (const spot of ['true', '{ share: 50 }', '{ base: 0 }']) {
      expect(problemsOf(`${BASE.replace('prod: {}', `prod: { service: { spot: ${spot} } }`)}`)).toEqual([
        'environments.prod.service.spot: Fargate Spot can stop tasks at two minutes\' notice; a service with every task on Spot is not allowed in the production environment "prod"',
      ]);
    }
  });
});

describe('https, network and database', () => {
  it('serves plain HTTP only when asked, and never with a domain', () => {
    expect(load(`${BASE}  dev: { https: false }\n`, 'dev').https).toBe(false);
    expect(problemsOf(`${BASE}  dev: { https: false, domain: dev.example.com }\n`)).toEqual([
      'environments.dev.https: false contradicts domain: a domain is served over HTTPS by the load balancer with its own certificate',
    ]);
  });

  it('imports an existing VPC, whose range and zones are its own', () => {
    expect(load(`${BASE}  dev: { network: { vpc: vpc-0123456789abcdef0 } }\n`, 'dev').network.vpcId).toBe('vpc-0123456789abcdef0');
    expect(problemsOf(`${BASE}  dev: { network: { vpc: vpc-0123456789abcdef0, cidr: 10.1.0.0/16 } }\n`)).toEqual([
      'environments.dev.network.cidr: does not apply with network.vpc: the existing VPC keeps its own address range',
    ]);
    expect(problemsOf(`${BASE}  dev: { network: { vpc: my-vpc } }\n`)).toEqual(['environments.dev.network.vpc: "my-vpc" is not valid: expected a VPC id such as vpc-0123456789abcdef0']);
  });

  it('sets backup and maintenance windows that do not overlap, and storage that may grow', () => {
    const config = load(BASE.replace('database: postgres', 'database: { backupWindow: "22:00-23:00", maintenanceWindow: "sat:01:00-sat:02:00", storage: 50, maxStorage: 200 }'), 'prod');
    expect(config.database).toMatchObject({ backupWindow: '22:00-23:00', maintenanceWindow: 'sat:01:00-sat:02:00', storage: 50, maxStorage: 200 });
    expect(problemsOf(BASE.replace('database: postgres', 'database: { backupWindow: "04:00-05:00", maintenanceWindow: "sun:04:30-sun:05:30" }'))).toEqual([
      'database.backupWindow: the backup window 04:00-05:00 overlaps the maintenance window sun:04:30-sun:05:30 (RDS refuses overlapping windows)',
    ]);
    expect(problemsOf(BASE.replace('database: postgres', 'database: { backupWindow: "04:00-04:15" }'))).toEqual(['database.backupWindow: 04:00-04:15 is shorter than the 30 minutes RDS needs']);
    expect(problemsOf(BASE.replace('database: postgres', 'database: { storage: 100, maxStorage: 105 }'))).toEqual([
      'database.maxStorage: 105 GiB must be at least 10% more than storage (100 GiB), or equal to it to turn storage autoscaling off',
    ]);
    expect(load(BASE.replace('database: postgres', 'database: { storage: 100, maxStorage: 100 }'), 'prod').database!.maxStorage).toBe(100);
  });
});
