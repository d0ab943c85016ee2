import { describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { planLocal, type LocalPlan } from './local-plan.js';
import { changesSince, planRollback } from './rollback-plan.js';
import { describeChangesSince, missingRollbackSecrets } from '../release-changes.js';

const PASSWORD = 'Gen3rated_Pw-xyz123';

function planOf(yaml: string, release: number): { plan: LocalPlan; config: ReturnType<typeof configFromYaml> } {
  const config = configFromYaml(yaml, 'local');
  return { config, plan: planLocal(config, { release, databasePassword: config.database ? PASSWORD : undefined }) };
}

/** The recorded plan as the state file gives it back (JSON round trip). */
const asRecorded = (plan: LocalPlan): unknown => JSON.parse(JSON.stringify(plan));

const web = (plan: LocalPlan) => plan.services.find((service) => service.name === 'web')!;

describe('planRollback: the restored release runs as it was recorded', () => {
  const then = planOf('app: rb\nservice: { port: 8000, image: "nginx:1", env: { MODE: one, OLD_FLAG: "1", KEEP: same }, secrets: [API_KEY] }\n', 3);
  const now = planOf('app: rb\nservice: { port: 8000, image: "nginx:1", count: 3, env: { MODE: two, NEW_FLAG: "1", KEEP: same }, secrets: [API_KEY, NEW_TOKEN] }\n', 7);
  const result = planRollback({ recorded: asRecorded(then.plan), today: now.plan, config: now.config, from: 3 });
  if (!result.recorded) throw new Error(`expected the recorded plan, got: ${result.why}`);

  it("runs the release's env and secret names, not today's", () => {
    expect(web(result.plan).container.env).toEqual({ MODE: 'one', OLD_FLAG: '1', KEEP: 'same' });
    expect(web(result.plan).container.secretNames).toEqual(['API_KEY']);
    expect(result.secretNames).toEqual(['API_KEY']);
  });

  it('is numbered as the new release: image tag, labels and replica names', () => {
    expect(result.plan.release).toBe(7);
    expect(web(result.plan).container.image).toBe('berth-rb:local-release-7');
    expect(web(result.plan).container.labels['org.berth.release']).toBe('7');
    expect(web(result.plan).namePrefix).toBe(web(now.plan).namePrefix);
    expect(result.plan.images).toEqual([{ image: 'berth-rb:local-release-7' }]);
    expect(JSON.stringify(result.plan)).not.toContain('release-3');
  });

  it("keeps today's replica count and the balancer's port", () => {
    expect(web(result.plan).count).toBe(3);
    expect(result.plan.balancer?.port).toBe(now.plan.balancer?.port);
    expect(result.plan.url).toBe(now.plan.url);
  });

  it('lists what berth.yml changed since, by name', () => {
    expect(result.changes).toEqual([
      { key: 'service', field: 'env', name: 'MODE', change: 'changed' },
      { key: 'service', field: 'env', name: 'OLD_FLAG', change: 'removed' },
      { key: 'service', field: 'env', name: 'NEW_FLAG', change: 'added' },
      { key: 'service', field: 'secrets', name: 'NEW_TOKEN', change: 'added' },
    ]);
    expect(describeChangesSince(3, result.changes)).toBe(
      "berth.yml changed since release 3: service.env MODE changed, OLD_FLAG removed, NEW_FLAG added; service.secrets NEW_TOKEN added; rollback runs release 3's env",
    );
  });

  it('never puts a value in the line', () => {
    const secretLooking = planOf('app: rb\nservice: { port: 8000, image: "nginx:1", env: { TOKEN_ISH: "s3cr3t-value-one" } }\n', 1);
    const later = planOf('app: rb\nservice: { port: 8000, image: "nginx:1", env: { TOKEN_ISH: "s3cr3t-value-two" } }\n', 2);
    const line = describeChangesSince(1, changesSince(secretLooking.plan, later.plan, later.config))!;
    expect(line).toBe("berth.yml changed since release 1: service.env TOKEN_ISH changed; rollback runs release 1's env");
    expect(line).not.toMatch(/s3cr3t/);
  });

  it('says nothing when berth.yml has not changed', () => {
    const again = planOf('app: rb\nservice: { port: 8000, image: "nginx:1", env: { MODE: one, OLD_FLAG: "1", KEEP: same }, secrets: [API_KEY] }\n', 9);
    const same = planRollback({ recorded: asRecorded(then.plan), today: again.plan, config: again.config, from: 3 });
    expect(same.recorded && same.changes).toEqual([]);
    expect(describeChangesSince(3, [])).toBeUndefined();
  });
});

describe('planRollback: settings, services and dependencies', () => {
  it("restores the release's port and health path, and says settings changed", () => {
    const then = planOf('app: rb\nservice: { port: 8000, image: "nginx:1", health: { path: /healthz } }\n', 2);
    const now = planOf('app: rb\nservice: { port: 9000, image: "nginx:1", health: { path: /health } }\n', 5);
    const result = planRollback({ recorded: asRecorded(then.plan), today: now.plan, config: now.config, from: 2 });
    if (!result.recorded) throw new Error(result.why);
    const restored = web(result.plan);
    expect(restored.kind === 'web' && [restored.port, restored.health.path]).toEqual([8000, '/healthz']);
    expect(result.changes.map((change) => `${change.key}.${change.field}`)).toEqual(['service.port', 'service.health']);
    expect(describeChangesSince(2, result.changes)).toBe("berth.yml changed since release 2: service.port changed; service.health changed; rollback runs release 2's env and settings");
  });

  it('does not run a service added since; runs a removed one as recorded; routes as the release did', () => {
    const then = planOf(`app: rb
services:
  web: { port: 8000, image: "nginx:1" }
  api: { port: 9000, image: "nginx:1", path: "/api/*", env: { A: "1" } }
`, 4);
    const now = planOf(`app: rb
services:
  web: { port: 8000, image: "nginx:1" }
  worker: { kind: worker, image: "nginx:1" }
`, 6);
    const result = planRollback({ recorded: asRecorded(then.plan), today: now.plan, config: now.config, from: 4 });
    if (!result.recorded) throw new Error(result.why);
    expect(result.plan.services.map((service) => service.name)).toEqual(['web', 'api']);
    expect(result.plan.services.find((service) => service.name === 'api')!.container.labels['org.berth.release']).toBe('6');
    expect(result.plan.balancer?.routing).toEqual(then.plan.balancer?.routing);
    // web's API_URL is berth's own variable, not an env change.
    expect(result.changes).toEqual([
      { key: 'services.api', field: 'service', change: 'removed' },
      { key: 'services.worker', field: 'service', change: 'added' },
    ]);
    expect(describeChangesSince(4, result.changes)).toBe("berth.yml changed since release 4: services.api removed; services.worker added; rollback runs release 4's env and settings (services added since do not run)");
  });

  it("gives the restored services today's database and cache variables, and names a dependency change", () => {
    const then = planOf('app: rb\nservice: { port: 8000, image: "nginx:1" }\ndatabase: postgres\ncache: redis\n', 1);
    const now = planOf('app: rb\nservice: { port: 8000, image: "nginx:1" }\ndatabase: { engine: postgres, name: shop }\n', 2);
    const result = planRollback({ recorded: asRecorded(then.plan), today: now.plan, config: now.config, from: 1 });
    if (!result.recorded) throw new Error(result.why);
    const env = web(result.plan).container.env;
    expect(env.DATABASE_URL).toBe(web(now.plan).container.env.DATABASE_URL);
    expect(env.PGDATABASE).toBe('shop');
    expect(env.REDIS_URL).toBeUndefined();
    expect(result.plan.dependencies).toEqual(now.plan.dependencies);
    expect(result.changes).toEqual([{ key: 'cache', field: 'dependency', change: 'removed' }]);
    expect(describeChangesSince(1, result.changes)).toContain("(the database and cache are today's)");
  });

  it('lists the secret names the release needs that the store lacks', () => {
    expect(missingRollbackSecrets(['API_KEY', 'OLD_KEY'], ['API_KEY', 'NEW_TOKEN'])).toEqual(['OLD_KEY']);
    expect(missingRollbackSecrets([], [])).toEqual([]);
  });
});

describe('planRollback: releases recorded before berth kept their plan', () => {
  const now = planOf('app: rb\nservice: { port: 8000, image: "nginx:1" }\n', 2);
  it('falls back when there is no plan file', () => {
    expect(planRollback({ recorded: undefined, today: now.plan, config: now.config, from: 1 })).toEqual({ recorded: false, why: 'no plan was recorded with it' });
  });
  it('falls back on an older shape', () => {
    const older = { app: 'rb', env: 'local', release: 1, replicas: { count: 2 }, container: { image: 'x', env: {} } };
    expect(planRollback({ recorded: older, today: now.plan, config: now.config, from: 1 })).toEqual({ recorded: false, why: 'its recorded plan has an older shape' });
    const recorded = asRecorded(now.plan) as { services: Array<{ container: { env: unknown } }> };
    recorded.services[0]!.container.env = ['MODE=one'];
    expect(planRollback({ recorded, today: now.plan, config: now.config, from: 1 }).recorded).toBe(false);
  });
});
