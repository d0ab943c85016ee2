/**
 * Files berth keeps per environment in the state folder (src/targets/local/paths.ts):
 * <state root>/<target>/<app>/<env>/, beside the local target's releases.json and the last-failure record.
 */
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/model.js';
import { stateRoot } from './local/paths.js';

type EnvironmentKey = Pick<ResolvedConfig, 'app' | 'env' | 'target'>;

export function environmentStateFolder(config: EnvironmentKey, vars: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(vars), config.target, config.app, config.env);
}

/** The progress journal: what deploys and rollbacks show, as JSON lines, for `berth ui` to follow. */
export function progressJournalPath(config: EnvironmentKey, vars: NodeJS.ProcessEnv = process.env): string {
  return join(environmentStateFolder(config, vars), 'progress.jsonl');
}
