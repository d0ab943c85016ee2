import type { Command } from 'commander';
import { Option } from 'commander';
import { loadConfig } from '../../config/load.js';
import type { ResolvedConfig } from '../../config/model.js';
import { loadConfigWithOverrides, parseOverride } from '../../config/what-if.js';
import { UsageError } from '../../errors.js';
import type { UsageAssumptions } from '../../plan/cost/usage.js';
import { DEFAULT_USAGE, USAGE_FLAGS } from '../../plan/cost/usage.js';
import { globalOptions } from '../global-options.js';
import { printJson, printLine, printWarning } from '../output.js';

interface CostOptions {
  compare?: string;
  whatIf: string[];
  lcus: string;
  logsGb: string;
  egressGb: string;
  natGb: string;
  ecrGb: string;
  requestsMillion: string;
}

function amountFlag(flag: string, value: string): number {
  const amount = Number(value);
  if (value.trim() === '' || !Number.isFinite(amount) || amount < 0) throw new UsageError(`${flag} ${value}: expected a number ≥ 0`, `for example ${flag} 5`);
  return amount;
}

function usageFrom(options: CostOptions): UsageAssumptions {
  return {
    lcus: amountFlag(USAGE_FLAGS.lcus.flag, options.lcus),
    logsGb: amountFlag(USAGE_FLAGS.logsGb.flag, options.logsGb),
    egressGb: amountFlag(USAGE_FLAGS.egressGb.flag, options.egressGb),
    natGb: amountFlag(USAGE_FLAGS.natGb.flag, options.natGb),
    ecrGb: amountFlag(USAGE_FLAGS.ecrGb.flag, options.ecrGb),
    requestsMillion: amountFlag(USAGE_FLAGS.requestsMillion.flag, options.requestsMillion),
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function usageOption(key: keyof UsageAssumptions, valueName: string): Option {
  const { flag, description } = USAGE_FLAGS[key];
  return new Option(`${flag} <${valueName}>`, description).default(String(DEFAULT_USAGE[key]));
}

export function registerCost(program: Command): void {
  program
    .command('cost')
    .description('what an AWS environment will cost per month, priced from its synthesized templates, before it exists')
    .addOption(new Option('--compare <env>', 'price another environment too and show both side by side').conflicts('whatIf'))
    .addOption(new Option('--what-if <key=value>', 'price with a berth.yml field changed (repeatable), e.g. service.arch=arm64').argParser(collect).default([]))
    .addOption(usageOption('lcus', 'n'))
    .addOption(usageOption('logsGb', 'gb'))
    .addOption(usageOption('egressGb', 'gb'))
    .addOption(usageOption('natGb', 'gb'))
    .addOption(usageOption('ecrGb', 'gb'))
    .addOption(usageOption('requestsMillion', 'n'))
    .addHelpText('after', `
Every line says how it was reached: "2 tasks × 730 h × (0.25 vCPU × $0.04048 + 0.5 GB × $0.004445)".
Prices come from data/prices/<region>.json (each figure dated, with its AWS pricing page); no AWS call
is made. Autoscaled services are priced at their minimum and their maximum; scheduled scaling is
counted in hours. Usage the template cannot know comes from the flags above. Resources berth cannot
price are listed as not priced. "Could save" re-prices the environment with each change applied.

Examples:
  berth cost --env prod
  berth cost --env dev --json
  berth cost --env prod --compare dev
  berth cost --env prod --what-if service.arch=arm64 --what-if service.memory=1024
  berth cost --env prod --logs-gb 20 --egress-gb 100`)
    .action(async (options: CostOptions, command: Command) => {
      const global = globalOptions(command);
      const usage = usageFrom(options);
      const overrides = options.whatIf.map((text) => parseOverride(text));
      let config = loadConfig({ config: global.config, env: global.env });
      let note: string | undefined;
      if (config.target === 'local') {
        const awsEnv = config.environments.find((name) => name !== 'local');
        if (!awsEnv) {
          const message = 'The local environment runs on your Docker engine: it costs nothing on AWS. Declare an AWS environment under environments: in berth.yml to price it.';
          if (global.json) printJson({ env: 'local', region: null, monthly: { min: 0, max: 0 }, currency: 'USD', items: [], unpriced: [], assumptions: usage, note: message });
          else printLine(message);
          return;
        }
        note = `The local environment costs nothing on AWS; pricing "${awsEnv}", the first AWS environment in berth.yml (choose with --env).`;
        if (!global.json) printWarning(note);
        config = loadConfig({ config: global.config, env: awsEnv });
      }
      // Checked before the first synthesis, so a mistyped --what-if fails at once.
      const changed: ResolvedConfig | undefined = overrides.length > 0 ? loadConfigWithOverrides({ config: global.config, env: config.env }, overrides) : undefined;
      const { estimateEnvironment, assemblyDir } = await import('./cost-estimate.js');
      const { createProgress } = await import('../../terminal/progress.js');
      const output = await import('./cost-output.js');
      const progress = createProgress();
      const cost = await estimateEnvironment(config, usage, assemblyDir(config), progress);

      if (options.compare !== undefined) {
        const other = loadConfig({ config: global.config, env: options.compare });
        if (other.target === 'local') throw new UsageError('--compare local: the local environment costs nothing on AWS', 'compare with another AWS environment');
        const otherCost = await estimateEnvironment(other, usage, assemblyDir(other), progress);
        if (global.json) {
          printJson({ ...output.costToJson(cost), ...(note ? { note } : {}), compare: { ...output.costToJson(otherCost), difference: output.differenceJson(otherCost.estimate.monthly, cost.estimate.monthly) } });
          return;
        }
        printLine(output.describeCost(cost, config.app));
        printLine();
        printLine(output.describeComparison(cost, otherCost));
        return;
      }

      if (changed) {
        const changedCost = await estimateEnvironment(changed, usage, assemblyDir(config, 'what-if'), progress);
        if (global.json) {
          printJson({
            ...output.costToJson(cost),
            ...(note ? { note } : {}),
            whatIf: { changes: overrides.map((change) => change.text), ...output.costToJson(changedCost), difference: output.differenceJson(changedCost.estimate.monthly, cost.estimate.monthly) },
          });
          return;
        }
        printLine(output.describeCost(cost, config.app));
        printLine();
        printLine(output.describeWhatIf(cost, changedCost, overrides.map((change) => change.text)));
        return;
      }

      if (global.json) printJson({ ...output.costToJson(cost), ...(note ? { note } : {}) });
      else printLine(output.describeCost(cost, config.app));
    });
}
