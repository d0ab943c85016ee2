import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.js';
import { ConfigError } from '../../config/problems.js';
import { globalOptions } from '../global-options.js';
import { paint, printJson, printLine } from '../output.js';
import { describeResolved, resolvedToJson } from './validate-output.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check berth.yml and print the resolved configuration of one environment')
    .addHelpText('after', `
Every other command validates the same way first. Problems are printed one per line on stderr
(file:line:column: field.path: what is wrong (suggestion)) and the exit code is 2.

Examples:
  berth validate
  berth validate --env prod --json
  berth validate --config examples/news-api/berth.yml`)
    .action((_options, command: Command) => {
      const options = globalOptions(command);
      try {
        const config = loadConfig({ config: options.config, env: options.env });
        if (options.json) {
          printJson({ valid: true, ...resolvedToJson(config) });
          return;
        }
        printLine(`${paint('green', '✔')} ${describeResolved(config)}`);
        printLine();
        printLine(stringify(resolvedToJson(config).config).trimEnd());
      } catch (error) {
        if (options.json && error instanceof ConfigError) printJson({ valid: false, problems: error.problems });
        throw error;
      }
    });
}
