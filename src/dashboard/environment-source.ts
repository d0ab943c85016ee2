/**
 * Where the UI's facts come from, one environment at a time: the architecture and cost (synthesized and priced
 * as `berth plan --diagram` and `berth cost` do), the target's operations (status, releases, logs, rollback),
 * the last failure's diagnosis and the progress journal. berthYmlSource reads them from berth.yml; tests and the
 * benchmark can hand the server another source.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/model.js';
import type { DeployOutcome, TargetOperations } from '../targets/operations.js';
import { progressJournalPath } from '../targets/journal.js';
import type { ArchitectureView, FailureView } from './page-html.js';

export interface EnvironmentSource {
  app: string;
  /** Every environment of berth.yml, `local` first. */
  environments: Array<{ name: string; target: 'local' | 'aws' }>;
  architecture(env: string): Promise<ArchitectureView>;
  operations(env: string): Promise<TargetOperations>;
  /** Why live data (status, releases, logs) cannot be read without trying, or undefined when it can be tried. */
  liveDataBlocked(env: string): string | undefined;
  lastFailure(env: string): Promise<FailureView | undefined>;
  /** The environment's progress journal file. */
  journalFile(env: string): string;
  /** Roll back exactly as `berth rollback --to N --yes` does, recording progress in the journal. */
  rollback(env: string, to: number | undefined): Promise<DeployOutcome>;
  /** Forget what was computed after a failure (e.g. AWS credentials that have since appeared). */
  reset?(env: string): void;
}

/** Whether the standard AWS credential chain has anything to find, without asking a metadata endpoint. */
export function awsCredentialsMissing(vars: NodeJS.ProcessEnv = process.env): string | undefined {
  if (vars.AWS_ACCESS_KEY_ID || vars.AWS_PROFILE || vars.AWS_WEB_IDENTITY_TOKEN_FILE || vars.AWS_CONTAINER_CREDENTIALS_FULL_URI || vars.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return undefined;
  const files = [vars.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'), vars.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')];
  if (files.some((file) => existsSync(file))) return undefined;
  return 'no AWS credentials found (no AWS_ACCESS_KEY_ID or AWS_PROFILE, no ~/.aws/credentials or ~/.aws/config). The architecture and cost need none; status, releases and logs of this environment do: set credentials and reload.';
}

/** The environments of a berth.yml, read fresh when the file changes. */
export function berthYmlSource(configFile: string): EnvironmentSource {
  const first = loadConfig({ config: configFile });
  const configs = new Map<string, { mtime: number; config: ResolvedConfig }>();
  const architectures = new Map<string, { mtime: number; view: Promise<ArchitectureView> }>();
  const operations = new Map<string, Promise<TargetOperations>>();
  const mtime = () => statSync(first.file).mtimeMs;

  const configOf = (env: string): ResolvedConfig => {
    const now = mtime();
    const cached = configs.get(env);
    if (cached && cached.mtime === now) return cached.config;
    const config = loadConfig({ config: configFile, env });
    configs.set(env, { mtime: now, config });
    return config;
  };
  const environments = [...first.environments].sort((a, b) => (a === 'local' ? -1 : b === 'local' ? 1 : 0))
    .map((name) => ({ name, target: (name === 'local' ? 'local' : 'aws') as 'local' | 'aws' }));

  return {
    app: first.app,
    environments,
    architecture(env) {
      const now = mtime();
      const cached = architectures.get(env);
      if (cached && cached.mtime === now) return cached.view;
      const view = import('./architecture.js').then(({ architectureOf }) => architectureOf(first.file, env));
      view.catch(() => architectures.delete(env));
      architectures.set(env, { mtime: now, view });
      return view;
    },
    operations(env) {
      let made = operations.get(env);
      if (!made) {
        made = import('../targets/select.js').then(({ operationsFor }) => operationsFor(configOf(env)));
        operations.set(env, made);
      }
      return made;
    },
    liveDataBlocked(env) {
      return configOf(env).target === 'aws' ? awsCredentialsMissing() : undefined;
    },
    async lastFailure(env) {
      const config = configOf(env);
      const [{ readLastFailure, supersededLocally }, { diagnose }] = await Promise.all([import('../doctor/last-failure.js'), import('../doctor/diagnose.js')]);
      const record = await readLastFailure(config);
      if (!record || (config.target === 'local' && (await supersededLocally(config, record)))) return undefined;
      const { evidence } = record;
      const unexplained = [...evidence.stoppedTasks.map((task) => task.stoppedReason ?? '').filter(Boolean), ...evidence.serviceEvents, ...evidence.stackEvents, ...evidence.logTail.slice(-10)].slice(0, 20);
      return { recordedAt: record.recordedAt, ...(record.release !== undefined ? { release: record.release } : {}), diagnoses: diagnose(evidence, config), unexplained };
    },
    journalFile(env) {
      return progressJournalPath(configOf(env));
    },
    async rollback(env, to) {
      const config = configOf(env);
      const [{ rollbackRecorded }, { silentProgress }] = await Promise.all([import('../targets/journal.js'), import('../terminal/progress.js')]);
      return rollbackRecorded(config, await this.operations(env), { to, yes: true, timeoutSeconds: 20 * 60 }, silentProgress);
    },
    reset(env) {
      operations.delete(env);
    },
  };
}
