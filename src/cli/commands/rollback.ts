import type { Command } from 'commander';
import { Option } from 'commander';
import { EXIT_INTERRUPTED, UsageError } from '../../errors.js';
import { durationFlag, globalOptions, loadForCommand } from '../global-options.js';
import { printError, printJson, printLine } from '../output.js';
import { createProgress, silentProgress } from '../../terminal/progress.js';
import { rollbackRecorded } from '../../targets/journal.js';
import { interruptible } from './interrupt.js';
import { describeFailure, describeOutcome } from './operate-output.js';

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('restore an earlier release (default: the one before the current) as a new release')
    .addOption(new Option('--to <release>', 'release number to restore (see `berth releases`)'))
    .addOption(new Option('--timeout <duration>', 'how long to wait for healthy replicas').default('20m'))
    .addHelpText('after', `
The restored image rolls out like a deploy (health checks, drain) and is recorded as a new release.
It runs the release's own env and secret names (secret values are today's) and first says what berth.yml changed
since, by name. Locally the release's settings (command, cpu, memory, health checks) come back too; on AWS they are
today's berth.yml's, with the release's image.

Examples:
  berth rollback
  berth rollback --to 3 --json`)
    .action(async (options: { to?: string; timeout: string }, command: Command) => {
      const global = globalOptions(command);
      const to = options.to === undefined ? undefined : Number(options.to);
      if (to !== undefined && (!Number.isInteger(to) || to < 1)) throw new UsageError(`--to ${options.to}: expected a release number such as 3`, 'run `berth releases` to see the numbers');
      const timeoutSeconds = durationFlag('--timeout', options.timeout);
      const config = loadForCommand(command);
      const { operationsFor } = await import('../../targets/select.js');
      const operations = await operationsFor(config);
      const interrupt = interruptible(config.target === 'local');
      const outcome = await rollbackRecorded(config, operations, { to, yes: global.yes, timeoutSeconds, signal: interrupt.signal }, global.json ? silentProgress : createProgress()).finally(() => interrupt.dispose());
      if (global.json) printJson(outcome);
      else if (outcome.ok) for (const line of describeOutcome(outcome, 'Rolled back with')) printLine(line);
      if (outcome.interrupted) {
        if (!global.json) printError(outcome.interrupted);
        process.exitCode = EXIT_INTERRUPTED;
      } else if (!outcome.ok) {
        if (!global.json) for (const line of describeFailure(outcome)) printError(line);
        process.exitCode = 1;
      }
    });
}
