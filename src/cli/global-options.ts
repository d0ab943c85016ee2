/** Reading the global options from inside a command, and loading berth.yml the same way everywhere. */
import type { Command } from 'commander';
import { parseDuration } from '../config/durations.js';
import { loadConfig, loadConfigWithWarnings } from '../config/load.js';
import type { ResolvedConfig } from '../config/model.js';
import type { ConfigProblem } from '../config/problems.js';
import { formatProblem } from '../config/problems.js';
import { UsageError } from '../errors.js';
import type { GlobalOptions } from './output.js';
import { printWarning } from './output.js';

export function globalOptions(command: Command): GlobalOptions {
  const all = command.optsWithGlobals<Partial<Omit<GlobalOptions, 'env'>> & { env?: string | string[] }>();
  const env = Array.isArray(all.env) ? all.env.at(-1) : all.env;
  return { config: all.config, env: env ?? 'local', json: Boolean(all.json), debug: Boolean(all.debug), yes: Boolean(all.yes) };
}

/** Every --env on the command line, in order; empty when none was given (the default local does not count). */
export function environmentFlags(command: Command): string[] {
  const env = command.optsWithGlobals<{ env?: string | string[] }>().env;
  return Array.isArray(env) ? env : [];
}

/** Every command that reads berth.yml validates it whole first. */
export function loadForCommand(command: Command): ResolvedConfig {
  const options = globalOptions(command);
  return loadConfig({ config: options.config, env: options.env });
}

/** loadForCommand for commands that also report the file's warnings (validate, plan): printed on stderr, returned. */
export function loadForCommandWithWarnings(command: Command): { config: ResolvedConfig; warnings: ConfigProblem[] } {
  const options = globalOptions(command);
  const loaded = loadConfigWithWarnings({ config: options.config, env: options.env });
  for (const warning of loaded.warnings) printWarning(formatProblem(warning));
  return loaded;
}

/** Parse a duration flag such as 20m, 90s, 1h (seconds when no unit). */
export function durationFlag(flag: string, value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds === 0) throw new UsageError(`${flag} ${value}: expected a duration such as 90s, 20m or 1h`);
  return seconds;
}
