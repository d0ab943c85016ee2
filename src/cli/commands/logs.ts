import type { Command } from 'commander';
import { Option } from 'commander';
import { durationFlag, globalOptions, loadForCommand } from '../global-options.js';
import { printLine } from '../output.js';
import { formatLogLine } from './operate-output.js';

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('print the logs of every replica (or of one service), each line prefixed with its replica')
    .addOption(new Option('-f, --follow', 'keep printing new lines until Ctrl-C').default(false))
    .addOption(new Option('--since <duration>', 'how far back to start').default('10m'))
    .addOption(new Option('--filter <text>', 'only lines containing this text'))
    .addOption(new Option('-s, --service <name>', 'only this service\'s replicas, job runs and one-off tasks'))
    .addHelpText('after', '\nWith several services each line starts with its service.\n\nExamples:\n  berth logs\n  berth logs --service worker --follow\n  berth logs --follow --filter ERROR\n  berth logs --env prod --since 1h')
    .action(async (options: { follow: boolean; since: string; filter?: string; service?: string }, command: Command) => {
      const global = globalOptions(command);
      const sinceSeconds = durationFlag('--since', options.since);
      const config = loadForCommand(command);
      const { operationsFor } = await import('../../targets/select.js');
      const operations = await operationsFor(config);
      const controller = new AbortController();
      const stop = () => {
        controller.abort();
        // Open engine connections must not keep a stopped `logs --follow` alive.
        setTimeout(() => process.exit(0), 500).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // `berth logs | head`: a closed pipe ends the command quietly.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') {
          controller.abort();
          process.exit(0);
        }
        throw error;
      });
      // A service column when lines of several services mix.
      const serviceWidth = config.services.length > 1 && options.service === undefined ? Math.max(...config.services.map((service) => service.name.length), 8) : undefined;
      let width = serviceWidth === undefined ? 12 : 10;
      try {
        await operations.logs({ follow: options.follow, sinceSeconds, filter: options.filter, ...(options.service ? { service: options.service } : {}) }, (line) => {
          if (global.json) {
            printLine(JSON.stringify(line));
            return;
          }
          width = Math.max(width, line.source.length - (serviceWidth !== undefined && line.service ? line.service.length + 1 : 0));
          printLine(formatLogLine(line, width, serviceWidth));
        }, controller.signal);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
