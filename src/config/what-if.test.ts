import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigWithOverrides, parseOverride } from './what-if.js';
import { primaryWebService } from '../model/index.js';

const web = (config: Parameters<typeof primaryWebService>[0]) => primaryWebService(config)!;

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-what-if-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  return join(dir, 'berth.yml');
}

const file = project(`app: demo
service:
  port: 8080
  count: 2
network: private
environments:
  prod:
    service:
      cpu: 512
      memory: 1024
`);

describe('parseOverride', () => {
  it('reads the value as YAML', () => {
    expect(parseOverride('service.cpu=1024')).toMatchObject({ path: ['service', 'cpu'], value: 1024 });
    expect(parseOverride('service.spot=true').value).toBe(true);
    expect(parseOverride('service.arch=arm64').value).toBe('arm64');
  });

  it('rejects a missing key', () => {
    expect(() => parseOverride('=arm64')).toThrow(/--what-if =arm64: expected KEY=VALUE/);
    expect(() => parseOverride('arm64')).toThrow(/expected KEY=VALUE/);
  });
});

describe('loadConfigWithOverrides', () => {
  it('changes the field in the environment and keeps its other overrides', () => {
    const config = loadConfigWithOverrides({ config: file, env: 'prod' }, [parseOverride('service.arch=arm64')]);
    expect(web(config).arch).toBe('arm64');
    expect(web(config).cpu).toBe(512);
    expect(web(config).count).toMatchObject({ min: 2, max: 2 });
  });

  it('merges into shorthands', () => {
    const config = loadConfigWithOverrides({ config: file, env: 'prod' }, [parseOverride('network.egress=nat')]);
    expect(config.network).toMatchObject({ tasks: 'private', egress: 'nat' });
  });

  it('validates the change like berth.yml itself', () => {
    expect(() => loadConfigWithOverrides({ config: file, env: 'prod' }, [parseOverride('service.arch=arm65')])).toThrow(/--what-if service\.arch=arm65: service\.arch: /);
    expect(() => loadConfigWithOverrides({ config: file, env: 'prod' }, [parseOverride('service.memory=8192')])).toThrow(/service\.memory: 8192 MiB is not valid with cpu 512/);
  });
});
