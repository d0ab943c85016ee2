/**
 * How berth.yml problems reach the user (issue 11): all of them in one pass, a did-you-mean for every near-miss
 * key, quoted numbers read as numbers, each problem at its own line, and warnings that do not fail the file.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { primaryWebService } from '../model/index.js';
import { loadConfig, loadConfigWithWarnings } from './load.js';
import type { ConfigProblem } from './problems.js';
import { ConfigError } from './problems.js';

function project(yaml: string, files: Record<string, string> = { Dockerfile: 'FROM python:3.12-slim\n' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-collect-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

function problems(yaml: string, files?: Record<string, string>): ConfigProblem[] {
  try {
    loadConfig({ cwd: project(yaml, files) });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const web = (config: Parameters<typeof primaryWebService>[0]) => primaryWebService(config)!;

describe('every problem in one pass', () => {
  it('a type error (count: two) hides neither the semantic problems nor the unknown keys elsewhere', () => {
    const found = problems(`app: news-api
service:
  port: 8000
  count: two
  memory: 4096
  helth: { path: /health }
environments:
  prod:
    service: { cpu: lots, spot: true }
`);
    expect(found.map((p) => `${p.line}: ${p.path}`)).toEqual([
      '4: service.count',
      '5: service.memory',
      '6: service.helth',
      '9: environments.prod.service.cpu',
      '9: environments.prod.service.spot',
    ]);
    expect(found[1]!.message).toBe('4096 MiB is not valid with cpu 256 (allowed: 512, 1024, 2048)');
  });

  it('does not report a problem twice: a value refused by the schema is not "missing" afterwards', () => {
    const found = problems('app: 42\nservice:\n  port: eighty\n  health: { interval: often, timeout: 40 }\n');
    expect(found.map((p) => p.path)).toEqual(['app', 'service.port', 'service.health.interval']);
  });

  it('an unknown key with a did-you-mean is not also reported as the key it was meant to be', () => {
    const found = problems('app: news-api\nservice:\n  prot: 8000\n');
    expect(found.map((p) => [p.path, p.hint])).toEqual([['service.prot', 'did you mean "port"?']]);
  });
});

describe('did you mean', () => {
  it.each([
    ['service', 'app: a1\nservice:\n  prot: 8000\n', 'service.prot', 'port'],
    ['a service of services', 'app: a1\nservices:\n  web: { port: 80 }\n  worker: { kind: worker, comand: [run] }\n', 'services.worker.comand', 'command'],
    ['an environment override of a service', 'app: a1\nservices:\n  web: { port: 80 }\nenvironments:\n  prod: { services: { web: { memroy: 1024 } } }\n', 'environments.prod.services.web.memroy', 'memory'],
    ['the health check', 'app: a1\nservice:\n  port: 80\n  health: { pth: /health }\n', 'service.health.pth', 'path'],
    ['the top level', 'app: a1\nservice: { port: 80 }\ndatabse: postgres\n', 'databse', 'database'],
  ])('suggests the key within two edits in %s', (_where, yaml, path, meant) => {
    const problem = problems(yaml).find((p) => p.path === path);
    expect(problem?.hint).toBe(`did you mean "${meant}"?`);
  });

  it('stays quiet when no key is close (rpc is not a typo of app)', () => {
    expect(problems('app: a1\nservice: { port: 80 }\nrpc: x\n').find((p) => p.path === 'rpc')?.hint).toBeUndefined();
  });
});

describe('quoted numbers', () => {
  it('reads "8000", "512" and friends as numbers wherever a number is expected, and keeps text as text', () => {
    const dir = project(`app: news-api
service:
  port: "8000"
  cpu: "512"
  memory: " 1024 "
  count: "2"
  health: { path: /health, interval: "10", timeout: "3" }
database: { engine: postgres, version: "16", storage: "40" }
local: { port: "18080" }
environments:
  prod:
    service: { cpu: "1024", memory: "2048", count: { min: "2", max: "4" } }
`);
    const local = loadConfig({ cwd: dir });
    expect(web(local)).toMatchObject({ port: 8000, cpu: 512, memory: 1024, count: { min: 2, max: 2 }, health: { interval: 10, timeout: 3 } });
    expect(local.database).toMatchObject({ version: '16', storage: 40 });
    expect(local.local.port).toBe(18080);
    expect(web(loadConfig({ cwd: dir, env: 'prod' }))).toMatchObject({ cpu: 1024, memory: 2048, count: { min: 2, max: 4 } });
  });

  it('still refuses what is not a plain decimal number, and ranges apply to the number', () => {
    const found = problems('app: a1\nservice:\n  port: "0x1F40"\n  cpu: "1e3"\n  memory: "512"\n  count: "-1"\n');
    expect(found.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'service.port: expected a number, got "0x1F40"',
      'service.cpu: expected a number, got "1e3"',
      'service.count: -1 is out of range (expected at least 0)',
    ]);
  });
});

describe('each problem at its own line', () => {
  it('a missing Dockerfile points at build.dockerfile when it is written', () => {
    const [problem] = problems('app: a1\nservice:\n  port: 8000\n  build:\n    target: runtime\n    dockerfile: Dockerfile.prod\n');
    expect(problem).toMatchObject({ path: 'service.build.dockerfile', line: 6, column: 17 });
  });

  it('at build when it has no dockerfile key', () => {
    const [problem] = problems('app: a1\nservice:\n  port: 8000\n  build:\n    context: app\n', { 'app/main.py': '' });
    expect(problem).toMatchObject({ path: 'service.build.dockerfile', line: 4, column: 3 });
  });

  it('at the service when there is no build at all, never at port', () => {
    const [problem] = problems('app: a1\nservice:\n  port: 8000\n  health: { path: /health }\n', {});
    expect(problem).toMatchObject({ path: 'service.build.dockerfile', line: 2, column: 1 });
    const [ofService] = problems('app: a1\nservices:\n  web: { port: 80, image: nginx:1.27 }\n  worker:\n    kind: worker\n    build: { context: w }\n', { 'w/x': '' });
    expect(ofService).toMatchObject({ path: 'services.worker.build.dockerfile', line: 6, column: 5 });
  });

  it('a missing required key points at its mapping\'s key', () => {
    const [problem] = problems('app: a1\nservices:\n  web:\n    kind: web\n    cpu: 256\n');
    expect(problem).toMatchObject({ path: 'services.web.port', line: 3, column: 3 });
  });
});

describe('warnings: env entries that look secret', () => {
  const yaml = `app: news-api
env:
  GITHUB_TOKEN: ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
service:
  port: 8000
  env:
    STRIPE_SECRET_KEY: sk_live_canary0123456789
    LOG_LEVEL: info
    NEXT_PUBLIC_API_KEY: pk_live_public
    TOKEN_TTL: "3600"
    DATABASE_PASSWORD: ""
environments:
  prod:
    service: { env: { SENTRY_DSN: "https://abc@o1.ingest.sentry.io/1" } }
`;

  it('are returned with their line, the shared rule\'s reason and the fix, and the file stays valid', () => {
    const { config, warnings } = loadConfigWithWarnings({ cwd: project(yaml) });
    expect(config.app).toBe('news-api');
    expect(warnings.map((w) => `${w.line}: ${w.path}`)).toEqual(['3: env.GITHUB_TOKEN', '7: service.env.STRIPE_SECRET_KEY', '14: environments.prod.service.env.SENTRY_DSN']);
    expect(warnings[1]).toMatchObject({ message: expect.stringMatching(/^looks like a secret \(its value looks like a Stripe key\)/), hint: 'move it to service.secrets: [STRIPE_SECRET_KEY] and set the value with `berth secrets set STRIPE_SECRET_KEY`' });
    expect(warnings[2]!.hint).toContain('berth secrets set SENTRY_DSN --env prod');
  });

  it('never include the value', () => {
    const { warnings } = loadConfigWithWarnings({ cwd: project(yaml) });
    expect(JSON.stringify(warnings)).not.toMatch(/canary|ghp_|ingest\.sentry/);
  });
});

describe('health.container', () => {
  const config = (dockerfile: string, extra = '') => web(loadConfig({ cwd: project(`app: a1\nservice:\n  port: 8000\n${extra}`, { Dockerfile: dockerfile }) }));

  it('is on for images with a shell', () => {
    expect(config('FROM python:3.12-slim\n').health.container).toBe(true);
  });

  it('is off for images without a shell: FROM scratch (also after a build stage), distroless, chiseled', () => {
    expect(config('FROM scratch\nCOPY app /app\n').health.container).toBe(false);
    expect(config('FROM golang:1.23 AS build\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\n').health.container).toBe(false);
    expect(config('ARG BASE=gcr.io/distroless/static-debian12:nonroot\nFROM ${BASE}\n').health.container).toBe(false);
    expect(config('FROM mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled\n').health.container).toBe(false);
  });

  it('follows the build target, and health.container says otherwise either way', () => {
    expect(config('FROM scratch AS slim\nFROM python:3.12-slim AS full\n', '  build: { target: slim }\n').health.container).toBe(false);
    expect(config('FROM scratch\n', '  health: { container: true }\n').health.container).toBe(true);
    expect(config('FROM python:3.12-slim\n', '  health: { container: false }\n').health.container).toBe(false);
  });

  it('is on for a pushed image berth cannot look into (set it false for one without a shell)', () => {
    const dir = project('app: a1\nservice:\n  port: 8000\n  image: ghcr.io/acme/api:1.0\n', {});
    expect(web(loadConfig({ cwd: dir })).health.container).toBe(true);
  });
});
