import type { Command } from 'commander';
import { globalOptions, loadForCommand } from '../global-options.js';
import { printJson, printLine } from '../output.js';
import { describeReleases } from './operate-output.js';

export function registerReleases(program: Command): void {
  program
    .command('releases')
    .description('list the numbered releases of an environment, newest first')
    .addHelpText('after', '\nExamples:\n  berth releases\n  berth releases --env prod --json')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      const config = loadForCommand(command);
      const { operationsFor } = await import('../../targets/select.js');
      const releases = await (await operationsFor(config)).releases();
      if (global.json) printJson({ app: config.app, env: config.env, releases });
      else printLine(describeReleases(releases));
    });
}
