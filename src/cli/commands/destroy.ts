import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../errors.js';
import { globalOptions, loadForCommand } from '../global-options.js';
import { printLine } from '../output.js';
import { createProgress } from '../../terminal/progress.js';
import { ask, isInteractive } from '../../terminal/prompt.js';

export function registerDestroy(program: Command): void {
  program
    .command('destroy')
    .description('remove an environment: replicas, load balancer, dependencies (data volumes are kept unless --purge)')
    .addOption(new Option('--purge', 'also delete data volumes, release images and state').default(false))
    .addHelpText('after', `
On a terminal you confirm by typing the app name; elsewhere pass --yes.

Examples:
  berth destroy
  berth destroy --purge --yes`)
    .action(async (options: { purge: boolean }, command: Command) => {
      const global = globalOptions(command);
      const config = loadForCommand(command);
      if (!global.yes) {
        if (!isInteractive()) throw new UsageError(`berth destroy needs confirmation: pass --yes to destroy ${config.app} (${config.env}) without a terminal`);
        const answer = await ask(`This removes ${config.app} (${config.env})${options.purge ? ' and ALL ITS DATA' : ''}. Type the app name to confirm: `);
        if (answer.trim() !== config.app) throw new UsageError('not confirmed: nothing was removed');
      }
      const { operationsFor } = await import('../../targets/select.js');
      await (await operationsFor(config)).destroy({ purge: options.purge }, createProgress());
      printLine(`Destroyed ${config.app} (${config.env})${options.purge ? ', data purged' : ''}`);
    });
}
