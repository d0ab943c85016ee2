/**
 * Where the local target keeps things, outside any repository:
 *   state   $BERTH_STATE_DIR, else $XDG_STATE_HOME/berth, else ~/.local/state/berth   (releases, balancer)
 *   config  $BERTH_CONFIG_DIR, else $XDG_CONFIG_HOME/berth, else ~/.config/berth      (secrets, 0600)
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_STATE_DIR) return env.BERTH_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'berth');
  return join(homedir(), '.local', 'state', 'berth');
}

export function configRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_CONFIG_DIR) return env.BERTH_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'berth');
  return join(homedir(), '.config', 'berth');
}

/** The state folder of one app's environment: releases.json, balancer.json, balancer.log, control.sock. */
export function environmentStateDir(app: string, env: string, vars: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(vars), 'local', app, env);
}

/** The 0600 file holding one environment's local secret values. */
export function secretsFile(app: string, env: string, vars: NodeJS.ProcessEnv = process.env): string {
  return join(configRoot(vars), 'secrets', app, `${env}.json`);
}
