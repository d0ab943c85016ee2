import type { Command } from 'commander';
import { globalOptions, loadForCommand } from '../global-options.js';
import { EXIT_FAILED } from '../../errors.js';
import { printJson, printLine } from '../output.js';
import { describeStatus } from './operate-output.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the release, replicas and their health, the URL and the dependencies')
    .addHelpText('after', '\nExamples:\n  berth status\n  berth status --env prod --json')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      const config = loadForCommand(command);
      const { operationsFor } = await import('../../targets/select.js');
      const report = await (await operationsFor(config)).status();
      if (global.json) printJson(report);
      else printLine(describeStatus(report));
      // Something is wrong now (a stopped dependency, no load balancer): scripts see it in the exit code.
      if (report.problems?.length) process.exitCode = EXIT_FAILED;
    });
}
