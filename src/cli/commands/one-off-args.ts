/** The command after `--` of `berth run` and `berth exec`, and the handling of Ctrl-C while it runs. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { abortOnSignal } from './interrupt.js';

/**
 * The words after `--`. Without the separator berth's own options (`-c` is --config) would swallow the
 * command's, so it is required.
 */
export function commandAfterSeparator(command: Command, words: readonly string[], name: string, required: boolean): string[] {
  let root: Command = command;
  while (root.parent) root = root.parent;
  const raw = (root as Command & { rawArgs?: string[] }).rawArgs ?? process.argv;
  if (words.length > 0 && !raw.includes('--')) {
    throw new UsageError(`put the command after --, so berth does not read its options: berth ${name} -- ${words.join(' ')}`);
  }
  if (required && words.length === 0) throw new UsageError(`berth ${name} needs a command after --, e.g. berth ${name} -- sh`);
  return [...words];
}

/** An AbortSignal for Ctrl-C / SIGTERM while a one-off command runs; a second Ctrl-C leaves at once. */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  return abortOnSignal();
}
