import { cloudAssemblyDir } from '../../model/index.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../errors.js';
import { globalOptions, loadForCommandWithWarnings } from '../global-options.js';
import { printJson, printLine } from '../output.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show what an environment would run: the AWS architecture (synthesized, no AWS call) or the local containers')
    .addOption(new Option('--diagram <file>', 'draw the architecture with each part\'s monthly price: FILE.svg, FILE.png, or - for SVG on stdout'))
    .addHelpText('after', `
Synthesizes the stacks berth-<app>-registry and berth-<app>-<env> into .berth/<env>/cdk.out (beside berth.yml),
runs cdk-nag's AwsSolutions checks and CloudFormation validation, and prints the resources by concern, the
security-group chain, the environment the app receives, endpoints, warnings and any unacknowledged finding.
Needs no AWS credentials and no network.

For the local environment (the default) it shows the containers, volumes and load balancer berth would run.

Examples:
  berth plan
  berth plan --env prod
  berth plan --env dev --json
  berth plan --env prod --diagram architecture.svg   (docs/ui.md)`)
    .action(async (flags: { diagram?: string }, command: Command) => {
      const options = globalOptions(command);
      const { config } = loadForCommandWithWarnings(command);
      if (flags.diagram !== undefined) {
        const [{ diagramFormat, writeDiagram }, { createProgress }] = await Promise.all([import('./plan-diagram.js'), import('../../terminal/progress.js')]);
        diagramFormat(flags.diagram);
        if (options.json && flags.diagram === '-') throw new UsageError('--diagram - writes the SVG to stdout, where --json would write its document', 'write the diagram to a file (--diagram architecture.svg --json), or drop --json');
        const done = await writeDiagram(config, flags.diagram, createProgress(), (svg) => process.stdout.write(svg));
        if (done && options.json) printJson(done.json);
        else if (done) printLine(done.line);
        return;
      }
      if (config.target === 'local') {
        const { describeLocalPlan, localPlanToJson, planLocalPreview } = await import('./plan-local-output.js');
        const [{ findComposeHostnames, COMMON_COMPOSE_HOSTNAMES }, { scanProject }] = await Promise.all([import('../../init/compose-hostnames.js'), import('../../init/scan-project.js')]);
        const plan = planLocalPreview(config);
        // Code that connects to `redis` or `db` works locally (network aliases) but not on AWS: say where.
        const uses = plan.dependencies.length ? findComposeHostnames(scanProject(config.dir), COMMON_COMPOSE_HOSTNAMES) : [];
        if (options.json) printJson(localPlanToJson(config, plan, uses));
        else printLine(describeLocalPlan(config, plan, uses));
        return;
      }
      const [{ synthesizeEnvironment }, { createProgress }, { describePlan, planToJson }] = await Promise.all([
        import('../../plan/aws/synthesize.js'),
        import('../../terminal/progress.js'),
        import('./plan-output.js'),
      ]);
      const outdir = cloudAssemblyDir(config.dir, config.env);
      const progress = createProgress();
      const step = progress.step(`Synthesizing ${config.app} (${config.env})`);
      let result;
      try {
        result = await synthesizeEnvironment(config, { outdir });
      } catch (error) {
        step.fail();
        throw error;
      }
      const findings = result.nagFindings.length + result.validationFindings.length;
      if (findings > 0) step.warn(`${findings} finding(s)`);
      else step.succeed();
      // The monthly total, priced by berth cost from the same templates (src/plan/cost).
      const { priceSynthesis, describePlanCost, DEFAULT_USAGE } = await loadCostForPlan();
      const cost = priceSynthesis(config, result, DEFAULT_USAGE);
      if (options.json) {
        printJson({ ...planToJson(result), cost });
        return;
      }
      printLine(describePlan(result));
      printLine();
      printLine(describePlanCost(cost, config.env));
    });
}

async function loadCostForPlan() {
  const [{ priceSynthesis }, { describePlanCost }, { DEFAULT_USAGE }] = await Promise.all([
    import('./cost-estimate.js'),
    import('./cost-output.js'),
    import('../../plan/cost/usage.js'),
  ]);
  return { priceSynthesis, describePlanCost, DEFAULT_USAGE };
}
