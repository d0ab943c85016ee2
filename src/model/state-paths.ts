/**
 * Where berth keeps things. Per machine, outside any repository:
 *   state   $BERTH_STATE_DIR, else $XDG_STATE_HOME/berth, else ~/.local/state/berth
 *           <state>/<target>/<app>/<env>/  — one folder per environment (releases, balancer, last failure)
 *   config  $BERTH_CONFIG_DIR, else $XDG_CONFIG_HOME/berth, else ~/.config/berth
 *           <config>/secrets/<app>/<env>.json — local secret values, 0600
 * Beside berth.yml (in the project): `.berth/<env>/cdk.out` (the synthesized assembly, git-ignored) and
 * `cdk.context.json` (CDK context lookups berth recorded: the hosted zone of a domain, an existing VPC; committed,
 * so plans need no AWS credentials once it is recorded).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../config/model.js';

export function stateRoot(vars: NodeJS.ProcessEnv = process.env): string {
  if (vars.BERTH_STATE_DIR) return vars.BERTH_STATE_DIR;
  if (vars.XDG_STATE_HOME) return join(vars.XDG_STATE_HOME, 'berth');
  return join(homedir(), '.local', 'state', 'berth');
}

export function configRoot(vars: NodeJS.ProcessEnv = process.env): string {
  if (vars.BERTH_CONFIG_DIR) return vars.BERTH_CONFIG_DIR;
  if (vars.XDG_CONFIG_HOME) return join(vars.XDG_CONFIG_HOME, 'berth');
  return join(homedir(), '.config', 'berth');
}

/** Mode of berth's state and secrets folders: the owner only (records hold log lines and replica details). */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file berth writes into them. */
export const PRIVATE_FILE_MODE = 0o600;

/** The state folder of one environment of an app on a target. */
export function environmentStateDir(target: Target, app: string, env: string, vars: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(vars), target, app, env);
}

/** The files inside an environment's state folder. */
export const STATE_FILES = {
  releases: 'releases.json',
  balancerConfig: 'balancer.json',
  /** The balancer process's identity (pid, start time, command line): berth signals only a proven match. */
  balancerPid: 'balancer.pid',
  /** The identity of the process that restarts the balancer when it dies (balancer-supervisor.ts). */
  supervisorPid: 'balancer-supervisor.pid',
  /** The balancer's last known health of each backend and its recent events, read back when it restarts. */
  balancerHealth: 'balancer-health.json',
  balancerLog: 'balancer.log',
  controlSocket: 'control.sock',
  lastFailure: 'last-failure.json',
  operationLock: 'operation.lock',
  /** Progress events of the deploy or rollback under way (JSON lines), for `berth ui`. */
  progressJournal: 'progress.jsonl',
  /** A blue/green or canary deploy under way: which release takes traffic from which, so `berth rollback` can return it. */
  trafficSwitch: 'traffic-switch.json',
  /** The berth.yml that owns the environment (src/model/ownership.ts). */
  owner: 'owner.json',
} as const;

export type StateFile = keyof typeof STATE_FILES;

export function stateFile(target: Target, app: string, env: string, file: StateFile, vars: NodeJS.ProcessEnv = process.env): string {
  return join(environmentStateDir(target, app, env, vars), STATE_FILES[file]);
}

/** The local plan of one release, kept so the balancer can replace replicas of it. */
export function releasePlanFile(stateDir: string, release: number): string {
  return join(stateDir, `release-${release}.plan.json`);
}

/** The records of a job's local runs (one JSON file per run: start, end, exit code), newest by name. */
export function jobRunsDir(stateDir: string, job: string): string {
  return join(stateDir, 'jobs', job);
}

/** The 0600 file holding one environment's local secret values. */
export function localSecretsFile(app: string, env: string, vars: NodeJS.ProcessEnv = process.env): string {
  return join(configRoot(vars), 'secrets', app, `${env}.json`);
}

/** `.berth/` beside berth.yml: what berth writes into the project (git-ignored). */
export function projectStateDir(configDir: string): string {
  return join(configDir, '.berth');
}

/** The cloud assembly of an environment (`variant` for cost's what-if syntheses beside it). */
export function cloudAssemblyDir(configDir: string, env: string, variant?: string): string {
  return variant ? join(projectStateDir(configDir), env, variant, 'cdk.out') : join(projectStateDir(configDir), env, 'cdk.out');
}

/**
 * CDK context lookups recorded for the app (a domain's hosted zone, an existing VPC), one file for every environment:
 * each answer's key names its account and region. Beside berth.yml, not under the git-ignored `.berth/`: commit it,
 * so later plans (CI, a teammate) read the answers without AWS credentials.
 */
export function cdkContextFile(configDir: string): string {
  return join(configDir, CDK_CONTEXT_FILE_NAME);
}

export const CDK_CONTEXT_FILE_NAME = 'cdk.context.json';
