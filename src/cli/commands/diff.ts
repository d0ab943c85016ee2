import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { deployStrategyPlan } from '../../model/index.js';
import { globalOptions, loadForCommand } from '../global-options.js';
import { paint, printJson, printLine } from '../output.js';
import { createProgress, silentProgress } from '../../terminal/progress.js';

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('show what a deploy would change in an AWS environment, compared with the deployed stacks')
    .addHelpText('after', `
Synthesizes the stacks from berth.yml (with the image of the current release) and compares them with
the templates CloudFormation has deployed. Security-relevant changes (IAM, security groups) are marked:
berth deploy asks about those before it runs them.

Examples:
  berth diff --env prod
  berth diff --env staging --json`)
    .action(async (_options, command: Command) => {
      const options = globalOptions(command);
      const config = loadForCommand(command);
      if (config.target !== 'aws') throw new UsageError(`environment ${config.env} runs on the local Docker engine; berth diff compares AWS stacks`, 'pass --env with an AWS environment, e.g. --env prod');
      const { awsOperations } = await import('../../targets/aws/operations.js');
      const results = await awsOperations(config).diff(options.json ? silentProgress : createProgress());
      const deploy = deployStrategyPlan(config);
      if (options.json) {
        printJson({ env: config.env, deploy, stacks: results.map((result) => ({ stack: result.stack, changes: result.changes, securityChanges: result.securityChanges, diff: result.text })) });
        return;
      }
      printLine(`${paint('bold', 'Deploy strategy')}: ${deploy.description}${deploy.switching.length > 0 && deploy.rolling.length > 0 ? ` (${deploy.switching.join(', ')}; ${deploy.rolling.join(', ')} roll)` : ''}`);
      printLine();
      for (const result of results) {
        const mark = !result.changes ? paint('green', 'no changes') : result.securityChanges ? paint('yellow', 'changes, including security-relevant ones') : 'changes';
        printLine(`${paint('bold', result.stack)}: ${mark}`);
        if (result.changes && result.text) printLine(result.text.split('\n').map((line) => `  ${line}`).join('\n'));
        printLine();
      }
    });
}
