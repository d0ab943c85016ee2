import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError } from '../../config/problems.js';
import { globalOptions, loadForCommandWithWarnings } from '../global-options.js';
import { paint, printJson, printLine } from '../output.js';
import { describeResolved, maskEnvValues, resolvedToJson, secretLookingEnvNames } from './validate-output.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check berth.yml and print the resolved configuration of one environment')
    .addHelpText('after', `
Every other command validates the same way first. Problems are printed one per line on stderr
(file:line:column: field.path: what is wrong (suggestion)) and the exit code is 2. Warnings (an env
entry that looks like a secret) are printed the same way after "warning:"; they do not change the exit code.

Examples:
  berth validate
  berth validate --env prod --json
  berth validate --config examples/news-api/berth.yml`)
    .action((_options, command: Command) => {
      const options = globalOptions(command);
      try {
        const { config, warnings } = loadForCommandWithWarnings(command);
        // An env value that looks like a secret is named by its warning and never printed (CI logs keep output).
        const resolved = maskEnvValues(resolvedToJson(config), secretLookingEnvNames(warnings));
        if (options.json) {
          printJson({ valid: true, ...resolved, warnings });
          return;
        }
        printLine(`${paint('green', '✔')} ${describeResolved(config)}`);
        printLine();
        // Written out in full: a value used in two places (the primary service under `service:` and `services:`) is not
        // shown as a YAML anchor and alias (`&a2` ... `*a2`).
        printLine(stringify(resolved.config, { aliasDuplicateObjects: false }).trimEnd());
      } catch (error) {
        if (options.json && error instanceof ConfigError) printJson({ valid: false, problems: error.problems });
        throw error;
      }
    });
}
