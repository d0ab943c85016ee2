/** berth.yml `deploy`: defaults, per-environment overrides and the problems a user gets for values that cannot work. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../errors.js';
import { loadConfig } from './load.js';
import { ConfigError, formatProblem } from './problems.js';

function load(yaml: string, env?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-deploy-'));
  writeFileSync(join(dir, 'berth.yml'), yaml);
  return loadConfig({ config: join(dir, 'berth.yml'), cwd: dir, ...(env ? { env } : {}) });
}

function problemsOf(yaml: string, env?: string): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      expect(error.exitCode).toBe(EXIT_USAGE);
      return error.problems.map((problem) => formatProblem({ ...problem, file: 'berth.yml' }).replace(/^berth\.yml:\d+:\d+: /, ''));
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const APP = 'app: shop\nimage: nginx:1.27\nservice: { port: 8000 }\n';

describe('deploy', () => {
  it('defaults to rolling with a 5 minute bake and a 10% canary for 5 minutes', () => {
    expect(load(APP).deploy).toEqual({ strategy: 'rolling', bake: 300, canary: { percent: 10, for: 300 } });
  });

  it('is set per environment over the top level', () => {
    const yaml = `${APP}deploy: { bake: 2m }\nenvironments:\n  prod:\n    deploy: { strategy: canary, canary: { percent: 25, for: 10m } }\n`;
    expect(load(yaml, 'prod').deploy).toEqual({ strategy: 'canary', bake: 120, canary: { percent: 25, for: 600 } });
    expect(load(yaml).deploy.strategy).toBe('rolling');
  });

  it('names the field and what is allowed for a strategy that does not exist', () => {
    expect(problemsOf(`${APP}deploy: { strategy: bluegreen }\n`)).toEqual(['deploy.strategy: "bluegreen" is not allowed (allowed: "rolling", "blue-green", "canary") (did you mean "blue-green"?)']);
  });

  it('refuses a canary share outside 1-99 % and durations that are not durations', () => {
    const problems = problemsOf(`${APP}deploy: { bake: soon, canary: { percent: 100 } }\n`);
    expect(problems).toEqual([
      'deploy.bake: "soon" is not valid: expected a duration such as 0, "30s", "5m" or "1h"',
      'deploy.canary.percent: 100 is out of range (expected at most 99)',
    ]);
  });

  it('refuses bake times ECS cannot express in an AWS environment, and accepts them locally', () => {
    const yaml = `${APP}deploy: { bake: 90s }\n`;
    expect(load(yaml).deploy.bake).toBe(90);
    expect(problemsOf(`${yaml}environments: { prod: { deploy: { strategy: blue-green } } }\n`, 'prod')).toEqual(['deploy.bake: "90s" is not whole minutes: ECS counts bake and canary times in minutes (use 1m or 2m in AWS environments)']);
  });

  it('refuses a bake longer than 24 hours', () => {
    expect(problemsOf(`${APP}deploy: { bake: 2d }\n`)).toEqual(['deploy.bake: "2d" is out of range (expected 0 to 24h)']);
  });

  it('refuses blue-green when no web service sits behind the load balancer', () => {
    const yaml = 'app: shop\nimage: nginx:1.27\nservice: { port: 8000, loadBalancer: false }\nenvironments:\n  prod:\n    deploy: { strategy: blue-green }\n';
    expect(problemsOf(yaml, 'prod')).toEqual([expect.stringMatching(/^environments\.prod\.deploy\.strategy: blue-green moves traffic between two sets of tasks on the load balancer/)]);
  });

  it('accepts blue-green and canary for the local environment, with bake times in seconds', () => {
    expect(load(`${APP}deploy: { strategy: canary, bake: 5s, canary: { percent: 50, for: 5s } }\n`).deploy).toEqual({ strategy: 'canary', bake: 5, canary: { percent: 50, for: 5 } });
  });
});
