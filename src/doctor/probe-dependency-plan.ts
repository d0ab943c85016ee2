/**
 * The throw-away PostgreSQL / Redis the doctor's container probe runs beside the app, derived from the
 * local target's own plan (planLocal + dependencyCreateOptions) so images, credentials, health checks and
 * the connection variables are the ones `berth deploy` uses. Pure: config in, engine create options out.
 *
 * Why throw-away and not the environment's own dependencies: the probe runs code that is not deployed yet.
 * Its start-up (migrations, seeding) must not write to the data of a running local deployment, and the
 * environment's named volumes must never be created, altered or wiped by a check. So every probe gets its
 * own containers on its own network, with their data on tmpfs (no volume at all), removed afterwards.
 * On that private network each container answers to the host name the deployed app would use
 * (berth-<app>-<env>-database / -cache), so DATABASE_URL, PG* and REDIS_URL have exactly the deploy's shape;
 * only the password is a fresh one for this probe.
 */
import type { ResolvedConfig } from '../config/model.js';
import { LABEL_DOCTOR_DEPENDENCY, labelsFor, reservedEnvNames } from '../model/index.js';
import { dependencyCreateOptions, planLocal, type DependencySpec, type LocalPlan } from '../plan/local/local-plan.js';

export interface ProbeDependency {
  role: DependencySpec['role'];
  engine: DependencySpec['engine'];
  image: string;
  /** The throw-away container's name (<probe>-database / <probe>-cache); the deploy's name is its alias. */
  name: string;
  /** The host name the app connects to: the same as in a deployed environment. */
  alias: string;
  /** Docker Engine API create options; holds the probe's database password in Env, so never printed. */
  createOptions: Record<string, unknown>;
}

/** What one probed service (web or worker) gets on the probe's network. */
export interface ProbeServicePlan {
  name: string;
  /** Host names its container answers on the probe's network: those of a deployed environment (`http://api:9000`). */
  aliases: string[];
  /** DATABASE_URL, PG*, REDIS_URL and the other services' URLs, as `berth deploy` builds them for this service. */
  connectionEnv: Record<string, string>;
}

export interface ProbeDependencyPlan {
  /** The doctor run that owns the probe (`<pid>:<start time>`), on every label. */
  run: string;
  network: { name: string; labels: Record<string, string> };
  dependencies: ProbeDependency[];
  /** Every web and worker service, in berth.yml's order. */
  services: ProbeServicePlan[];
}

/** Labels of everything the probe creates: the doctor's role, so `berth status`/`destroy` never take it for the app's own. */
export function probeLabels(config: Pick<ResolvedConfig, 'app' | 'env'>, run: string, service?: string): Record<string, string> {
  return labelsFor(config.app, config.env, 'doctor', { doctorRun: run, ...(service ? { service } : {}) });
}

/** The connection variables and host names of one probed service (undefined for a job). */
export function probedService(plan: Pick<ProbeDependencyPlan, 'services'>, name: string): ProbeServicePlan | undefined {
  return plan.services.find((service) => service.name === name);
}

/** "PostgreSQL (postgres:16) and Redis (redis:7)" — for progress and check messages. */
export function describeDependencies(dependencies: readonly Pick<ProbeDependency, 'engine' | 'image'>[]): string {
  const names = { postgres: 'PostgreSQL', redis: 'Redis' } as const;
  return dependencies.map((dependency) => `${names[dependency.engine]} (${dependency.image})`).join(' and ');
}

/**
 * The probe's network, dependencies and connection variables. `probeName` names the probe container
 * (its network is `<probeName>-net`); `databasePassword` is generated per probe by the caller; `run` is the
 * doctor process that owns it (doctor/abandoned-probes.ts).
 */
export function probeDependencyPlan(config: ResolvedConfig, probeName: string, databasePassword: string, run: string): ProbeDependencyPlan {
  const labels = probeLabels(config, run);
  const deployed = planLocal(config, { release: 0, images: { app: 'berth-doctor-probe' }, databasePassword });
  const network = { name: `${probeName}-net`, labels };
  const onProbeNetwork: LocalPlan = { ...deployed, network };
  const dependencies = deployed.dependencies.map((dependency): ProbeDependency => {
    const name = `${probeName}-${dependency.role}`;
    const options = dependencyCreateOptions(onProbeNetwork, dependency) as { HostConfig: Record<string, unknown> };
    return {
      role: dependency.role,
      engine: dependency.engine,
      image: dependency.image,
      name,
      alias: dependency.name,
      createOptions: {
        ...options,
        name,
        Labels: { ...labels, [LABEL_DOCTOR_DEPENDENCY]: dependency.role },
        HostConfig: {
          ...options.HostConfig,
          // tmpfs instead of the environment's named volume: nothing of the user's data is touched, nothing is left on disk.
          Mounts: [{ Type: 'tmpfs', Target: dependency.volume.mountPath }],
          RestartPolicy: { Name: 'no' },
        },
      },
    };
  });
  const services = deployed.services.map((service): ProbeServicePlan => {
    const reserved = new Set(reservedEnvNames(config, service.name));
    const connectionEnv = Object.fromEntries(Object.entries(service.container.env).filter(([name]) => reserved.has(name)));
    return { name: service.name, aliases: [...service.aliases], connectionEnv };
  });
  return { run, network, dependencies, services };
}
