import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { checkTemplates, environmentTemplates, templateFor } from './environment-templates.js';
import { loadConfig } from './load.js';
import { ConfigError } from './problems.js';
import { loadConfigWithOverrides, parseOverride } from './what-if.js';
import { primaryWebService } from '../model/index.js';

const web = (config: Parameters<typeof primaryWebService>[0]) => primaryWebService(config)!;

function appDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-templates-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const WITH_PREVIEW = `
app: shop
region: eu-west-1
service:
  port: 8000
  cpu: 512
  memory: 1024
  count: 2
database: postgres
environments:
  staging: {}
  prod:
    database: { multiAz: true }
  preview:
    template: pr-*
    service:
      cpu: 256
      memory: 512
      spot: true
      count:
        min: 1
        max: 1
        schedule:
          - { name: night, cron: "0 20 * * *", min: 0, max: 0 }
          - { name: morning, cron: "0 7 * * 1-5", min: 1, max: 1 }
`;

describe('environment templates', () => {
  it('resolves pr-12 through the preview template: its overrides, not production, Spot allowed', () => {
    const dir = appDir(WITH_PREVIEW);
    const config = loadConfig({ cwd: dir, env: 'pr-12' });
    expect(config.env).toBe('pr-12');
    expect(config.target).toBe('aws');
    expect(config.production).toBe(false);
    expect(config.fromTemplate).toBe('preview');
    expect(web(config)).toMatchObject({ cpu: 256, memory: 512, spot: true, port: 8000 });
    expect(web(config).count.schedule.map((entry) => entry.name)).toEqual(['night', 'morning']);
    expect(config.database?.multiAz).toBe(false);
    expect(config.environments).toEqual(['local', 'staging', 'prod', 'pr-12']);
  });

  it('leaves the template out of the declared environments and refuses it as --env', () => {
    const dir = appDir(WITH_PREVIEW);
    expect(loadConfig({ cwd: dir, env: 'prod' }).environments).toEqual(['local', 'staging', 'prod']);
    expect(loadConfig({ cwd: dir, env: 'prod' }).fromTemplate).toBeUndefined();
    expect(() => loadConfig({ cwd: dir, env: 'preview' })).toThrow(/"preview" is a template for environments named pr-\*, not an environment itself/);
  });

  it('names the templates when an environment is unknown', () => {
    const dir = appDir(WITH_PREVIEW);
    let error: unknown;
    try {
      loadConfig({ cwd: dir, env: 'qa' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('berth.yml: environment "qa" is not declared (declared: local, staging, prod; made from templates: pr-* (from preview))');
  });

  it('refuses an instance name too long for AWS names, saying why', () => {
    const dir = appDir(WITH_PREVIEW);
    expect(() => loadConfig({ cwd: dir, env: 'pr-123456789' })).toThrow(/matches the template preview \(pr-\*\) but is not a valid environment name: use 1-11/);
  });

  it('lets a template say production: true, and a declared environment of the same prefix is an error', () => {
    const production = appDir(WITH_PREVIEW.replace('template: pr-*', 'template: pr-*\n    production: true').replace('      spot: true\n', ''));
    expect(loadConfig({ cwd: production, env: 'pr-3' }).production).toBe(true);
    const clash = appDir(WITH_PREVIEW.replace('  staging: {}', '  pr-main: {}'));
    expect(problemsOf(() => loadConfig({ cwd: clash }))).toEqual([
      'environments.preview.template: "pr-*" also matches the declared environment pr-main; an environment name must mean one thing',
    ]);
  });

  it('checks the template as an environment: Spot in a production template is refused where it is written', () => {
    const dir = appDir(WITH_PREVIEW.replace('template: pr-*', 'template: pr-*\n    production: true'));
    expect(problemsOf(() => loadConfig({ cwd: dir }))).toEqual([
      'environments.preview.service.spot: Fargate Spot can stop tasks at two minutes\' notice; a service with every task on Spot is not allowed in the production environment "preview"',
    ]);
  });

  it('validates patterns, overlaps and reserved names', () => {
    const data = {
      environments: {
        preview: { template: 'pr*x' },
        review: { template: 'rv-*' },
        wide: { template: 'rv-a*' },
        long: { template: 'abcdefghijk*' },
        ci: {},
      },
    };
    expect(checkTemplates(data as never).map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      'environments.ci: "ci" cannot name an environment: the stack berth-<app>-ci is berth\'s own',
      'environments.preview.template: "pr*x" is not a template pattern: expected a name prefix followed by *, such as "pr-*"',
      'environments.review.template: "rv-*" overlaps the template wide ("rv-a*"): a name would match both',
      'environments.long.template: "abcdefghijk*" leaves no room: environment names are at most 11 characters',
    ]);
  });

  it('matches by prefix, never the bare prefix or a declared name', () => {
    const data = { environments: { preview: { template: 'pr-*' }, 'pr-main': null } } as never;
    expect(environmentTemplates(data)).toEqual([{ name: 'preview', pattern: 'pr-*', prefix: 'pr-' }]);
    expect(templateFor(data, 'pr-7')?.name).toBe('preview');
    expect(templateFor(data, 'pr-')).toBeUndefined();
    expect(templateFor(data, 'pr-main')).toBeUndefined();
    expect(templateFor(data, 'local')).toBeUndefined();
  });

  it('cost --what-if works on an instance', () => {
    const dir = appDir(WITH_PREVIEW);
    const changed = loadConfigWithOverrides({ cwd: dir, env: 'pr-4' }, [parseOverride('service.arch=arm64')]);
    expect(web(changed).arch).toBe('arm64');
    expect(web(changed).spot).toBe(true);
    expect(changed.fromTemplate).toBe('preview');
  });
});
