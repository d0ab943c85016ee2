/** An AWS rollback restores each service's env, secret names and settings from the release's task definitions; berth's own variables stay today's. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { PLACEHOLDER_DIGEST } from '../../model/index.js';
import { describeChangesSince } from '../release-changes.js';
import { EnvironmentStack } from './environment-stack.js';
import { restoreReleaseEnv, type RecordedTaskEnv } from './rollback-env.js';

process.env.CDK_VALIDATION = 'false';

const TODAY = `app: news
region: us-east-1
image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/news@sha256:${'ab'.repeat(32)}
database: { engine: postgres }
services:
  web:
    port: 8000
    health: { path: /health }
    env: { MODE: new, NEW_FLAG: "1" }
    secrets: [SESSION_KEY, STRIPE_KEY]
  api:
    kind: web
    port: 9000
    path: /api/*
    health: { path: /api/health }
  mailer:
    kind: worker
    command: [python, mail.py]
    env: { MODE: mail }
environments:
  prod: {}
`;

const SECRETS = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:';

/** What DescribeTaskDefinition gave for the release: web and api ran then, mailer did not exist. */
const RECORDED: RecordedTaskEnv[] = [
  {
    service: 'web',
    environment: [
      { name: 'MODE', value: 'old' },
      { name: 'PGHOST', value: 'db.old.example' },
      { name: 'PGPORT', value: '5432' },
      { name: 'API_URL', value: 'http://api:9000' },
      { name: 'MULTI', value: 'line one\nline two' },
    ],
    secrets: [
      { name: 'SESSION_KEY', valueFrom: `${SECRETS}berth/news/prod/SESSION_KEY` },
      { name: 'OLD_TOKEN', valueFrom: `${SECRETS}berth/news/prod/OLD_TOKEN-AbC123` },
      // berth's own: the assembled URL and the generated password read other secrets.
      { name: 'DATABASE_URL', valueFrom: `${SECRETS}DatabaseUrlA1B2C3-xYz123` },
      { name: 'PGPASSWORD', valueFrom: `${SECRETS}newsprodDatabaseSecret-QwErTy:password::` },
    ],
  },
  { service: 'api', environment: [], secrets: [] },
];

function containerOf(template: Template, family: string): { Environment?: Array<{ Name: string; Value: unknown }>; Secrets?: Array<{ Name: string }> } {
  const found = Object.values(template.toJSON().Resources as Record<string, { Type: string; Properties: { Family?: string; ContainerDefinitions?: unknown[] } }>)
    .find((resource) => resource.Type === 'AWS::ECS::TaskDefinition' && resource.Properties.Family === family);
  if (!found) throw new Error(`no task definition ${family}`);
  return found.Properties.ContainerDefinitions![0] as never;
}

describe('restoreReleaseEnv', () => {
  const today = configFromYaml(TODAY, 'prod');
  const result = restoreReleaseEnv(today, RECORDED);
  if (!result.restored) throw new Error('expected a restored env');

  it("gives each service the release's own env and secret names, without berth's variables", () => {
    const web = result.config.services.find((service) => service.name === 'web')!;
    expect(web.env).toEqual({ MODE: 'old', MULTI: 'line one\nline two' });
    expect(web.secrets).toEqual(['OLD_TOKEN', 'SESSION_KEY']);
    expect(result.config.services.find((service) => service.name === 'api')!.env).toEqual({});
  });

  it('keeps today\'s env for a service the release did not run, and every other setting', () => {
    const mailer = result.config.services.find((service) => service.name === 'mailer')!;
    expect(mailer.env).toEqual({ MODE: 'mail' });
    expect(result.config.services.map((service) => [service.name, service.cpu, service.memory])).toEqual(today.services.map((service) => [service.name, service.cpu, service.memory]));
    expect(result.config.database).toEqual(today.database);
  });

  it('names what berth.yml changed since, without a value', () => {
    expect(result.changes).toEqual([
      { key: 'services.web', field: 'env', name: 'MODE', change: 'changed' },
      { key: 'services.web', field: 'env', name: 'MULTI', change: 'removed' },
      { key: 'services.web', field: 'env', name: 'NEW_FLAG', change: 'added' },
      { key: 'services.web', field: 'secrets', name: 'OLD_TOKEN', change: 'removed' },
      { key: 'services.web', field: 'secrets', name: 'STRIPE_KEY', change: 'added' },
    ]);
    const line = describeChangesSince(3, result.changes)!;
    expect(line).toBe("berth.yml changed since release 3: services.web.env MODE changed, MULTI removed, NEW_FLAG added; services.web.secrets OLD_TOKEN removed, STRIPE_KEY added; rollback runs release 3's env");
    expect(line).not.toContain('old');
  });

  it("synthesizes the release's env into the task definition, with today's database variables", () => {
    const template = Template.fromStack(new EnvironmentStack(new App(), { config: result.config, placeholderDigest: PLACEHOLDER_DIGEST }));
    const web = containerOf(template, 'berth-news-prod');
    const plain = Object.fromEntries((web.Environment ?? []).map((variable) => [variable.Name, variable.Value]));
    expect(plain.MODE).toBe('old');
    expect(plain.NEW_FLAG).toBeUndefined();
    // Today's database endpoint (a CloudFormation reference), not the release's recorded host name.
    expect(typeof plain.PGHOST).toBe('object');
    expect((web.Secrets ?? []).map((secret) => secret.Name).sort()).toEqual(['DATABASE_URL', 'OLD_TOKEN', 'PGPASSWORD', 'SESSION_KEY']);
  });

  it('keeps DATABASE_URL and PG* an app without a berth database sets itself (its own database)', () => {
    const own = configFromYaml(TODAY.replace('database: { engine: postgres }\n', ''), 'prod');
    const external = restoreReleaseEnv(own, [{
      service: 'web',
      environment: [{ name: 'PGHOST', value: 'db.example.com' }, { name: 'MODE', value: 'old' }],
      secrets: [{ name: 'DATABASE_URL', valueFrom: `${SECRETS}berth/news/prod/DATABASE_URL-AbC123` }, { name: 'SESSION_KEY', valueFrom: `${SECRETS}berth/news/prod/SESSION_KEY` }],
    }]);
    if (!external.restored) throw new Error('expected a restored env');
    const web = external.config.services.find((service) => service.name === 'web')!;
    expect(web.env).toEqual({ PGHOST: 'db.example.com', MODE: 'old' });
    expect(web.secrets).toEqual(['DATABASE_URL', 'SESSION_KEY']);
  });

  it('takes a secret of another name\'s ARN, or a name that only starts like a declared one, for berth\'s', () => {
    const tricky = restoreReleaseEnv(today, [{
      service: 'web',
      environment: [],
      secrets: [{ name: 'SESSION', valueFrom: `${SECRETS}berth/news/prod/SESSION_KEY` }, { name: 'SESSION_KEY', valueFrom: `${SECRETS}berth/news/prod/SESSION_KEY` }],
    }]);
    if (!tricky.restored) throw new Error('expected a restored env');
    expect(tricky.config.services.find((service) => service.name === 'web')!.secrets).toEqual(['SESSION_KEY']);
  });

  it("restores the release's cpu, memory, architecture and command, and the image's own CMD when it had no command", () => {
    const sized = restoreReleaseEnv(today, [
      { service: 'web', environment: [], secrets: [], cpu: '2048', memory: '4096', cpuArchitecture: 'ARM64', command: null },
      { service: 'mailer', environment: [], secrets: [], cpu: 'lots', command: null },
    ]);
    if (!sized.restored) throw new Error('expected a restored env');
    const web = sized.config.services.find((service) => service.name === 'web')!;
    expect([web.cpu, web.memory, web.arch, web.command]).toEqual([2048, 4096, 'arm64', undefined]);
    const mailer = sized.config.services.find((service) => service.name === 'mailer')!;
    // An unreadable cpu keeps today's; no command then (the image's CMD) replaces today's [python, mail.py].
    expect([mailer.cpu, mailer.command]).toEqual([today.services.find((service) => service.name === 'mailer')!.cpu, undefined]);
    expect(sized.changes.filter((change) => !['env', 'secrets'].includes(change.field))).toEqual([
      { key: 'services.web', field: 'cpu', change: 'changed' },
      { key: 'services.web', field: 'memory', change: 'changed' },
      { key: 'services.web', field: 'arch', change: 'changed' },
      { key: 'services.mailer', field: 'command', change: 'changed' },
    ]);
  });

  it('says why when the release record names no task definitions', () => {
    expect(restoreReleaseEnv(today, [])).toEqual({ restored: false, why: 'its record names no task definitions' });
  });
});
