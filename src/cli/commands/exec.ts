import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../errors.js';
import { loadForCommand } from '../global-options.js';
import { createProgress } from '../../terminal/progress.js';
import { commandAfterSeparator, interruptSignal } from './one-off-args.js';

export function registerExec(program: Command): void {
  program
    .command('exec')
    .description('run a command inside a running replica (a shell, a one-line check)')
    .argument('[command...]', 'the command and its arguments, after --')
    .addOption(new Option('-s, --service <name>', 'the service (default: the first web service)'))
    .addOption(new Option('-r, --replica <n>', 'which replica, 1-based in `berth status` order').default('1'))
    .addHelpText('after', `
Locally: docker exec into the replica, with a TTY when this is a terminal. On AWS: ECS Exec into a task
(needs exec: true for the environment in berth.yml and the Session Manager plugin). The command's output is
yours; berth exits with its exit code.

Examples:
  berth exec -- sh
  berth exec --service worker --replica 2 -- ps aux
  berth exec -- env`)
    .action(async (words: string[], options: { service?: string; replica: string }, command: Command) => {
      const argv = commandAfterSeparator(command, words, 'exec', true);
      const replica = Number(options.replica);
      if (!Number.isInteger(replica) || replica < 1) throw new UsageError(`--replica ${options.replica}: expected a replica number such as 1 or 2`, 'see `berth status` for the replicas');
      const config = loadForCommand(command);
      const { operationsFor } = await import('../../targets/select.js');
      const { commandTerminal } = await import('../../terminal/process-io.js');
      const operations = await operationsFor(config);
      const interrupt = interruptSignal();
      const terminal = commandTerminal();
      try {
        const outcome = await operations.exec({ ...(options.service ? { service: options.service } : {}), replica, command: argv }, terminal.io, createProgress(), interrupt.signal);
        process.exitCode = outcome.exitCode;
      } finally {
        terminal.restore();
        interrupt.dispose();
      }
    });
}
