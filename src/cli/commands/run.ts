import type { Command } from 'commander';
import { Option } from 'commander';
import { loadForCommand } from '../global-options.js';
import { createProgress } from '../../terminal/progress.js';
import { commandAfterSeparator, interruptSignal } from './one-off-args.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a one-off command with a service\'s current release image, environment and secrets')
    .argument('[command...]', 'the command and its arguments, after --')
    .addOption(new Option('-s, --service <name>', 'the service whose image and environment to use (default: the first web service)'))
    .addHelpText('after', `
Locally: a throw-away container on the environment's network (the database, the cache and the other services
answer there as they do for the replicas), removed when the command ends. On AWS: an ECS task with the
service's task definition, its logs streamed. The command's output is yours: it goes to stdout/stderr as is;
berth's own lines go to stderr. berth exits with the command's exit code. Ctrl-C stops and removes it.

Examples:
  berth run -- python manage.py migrate
  berth run --service worker -- celery -A app inspect ping
  berth run -- sh                       (an interactive shell when this is a terminal)
  berth run --env prod -- python manage.py showmigrations`)
    .action(async (words: string[], options: { service?: string }, command: Command) => {
      const argv = commandAfterSeparator(command, words, 'run', false);
      const config = loadForCommand(command);
      const { operationsFor } = await import('../../targets/select.js');
      const { commandTerminal } = await import('../../terminal/process-io.js');
      const operations = await operationsFor(config);
      const interrupt = interruptSignal();
      const terminal = commandTerminal();
      try {
        const outcome = await operations.run({ ...(options.service ? { service: options.service } : {}), command: argv }, terminal.io, createProgress(), interrupt.signal);
        process.exitCode = outcome.exitCode;
      } finally {
        terminal.restore();
        interrupt.dispose();
      }
    });
}
