import type { Command } from 'commander';
import { Option } from 'commander';
import { durationFlag, globalOptions, loadForCommand } from '../global-options.js';
import { printError, printJson, printLine } from '../output.js';
import { createProgress, silentProgress } from '../../terminal/progress.js';
import { EXIT_INTERRUPTED } from '../../errors.js';
import { cancelBuildsAhead } from '../../build/build-ahead.js';
import { journalFor } from '../../targets/journal.js';
import { interruptible } from './interrupt.js';
import { describeFailure, describeOutcome } from './operate-output.js';

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('build the app and roll it out (local Docker engine by default, or --env <aws env>)')
    .addOption(new Option('--image <uri>', 'deploy this image instead of building'))
    .addOption(new Option('--tag <tag>', 'also give the image this tag'))
    .addOption(new Option('--timeout <duration>', 'how long to wait for healthy replicas').default('20m'))
    .addOption(new Option('--take-over', 'local: replace what another folder\'s berth.yml deployed under the same app name and environment'))
    .addHelpText('after', `
Locally: builds natively for this machine, starts PostgreSQL / Redis when configured, starts the
replicas, waits for the load balancer's health checks, then drains and stops the previous release.
If a new replica does not become healthy, the new replicas are removed, the previous release keeps
serving and the exit code is 1. The load balancer keeps running until \`berth destroy\`.
Ctrl-C (or SIGTERM) stops a local rollout and undoes it: the new replicas are removed, the previous
release keeps serving, exit 130.
Local names are global on the engine: when another folder's berth.yml already deployed the same app
name and environment, deploy refuses (exit 2) and names it; --take-over removes that project's
containers (its volumes are kept and used) and makes this berth.yml the owner.

Examples:
  berth deploy
  berth deploy --image berth-news-api:dev --timeout 5m
  berth deploy --env prod --json`)
    .action(async (options: { image?: string; tag?: string; timeout: string; takeOver?: boolean }, command: Command) => {
      const global = globalOptions(command);
      const timeoutSeconds = durationFlag('--timeout', options.timeout);
      const config = loadForCommand(command);
      const interrupt = interruptible(config.target === 'local');
      // Locally the image does not depend on anything the deploy does next (loading the target, the lock, asking the
      // engine what runs): its build starts now, about a third of a second sooner, and the deploy adopts it.
      const buildsAhead = config.target === 'local' ? (await import('../../targets/local/release-slots.js')).startReleaseBuilds(config, options) : undefined;
      interrupt.signal?.addEventListener('abort', () => cancelBuildsAhead(buildsAhead), { once: true });
      const { operationsFor } = await import('../../targets/select.js');
      const operations = await operationsFor(config);
      // Recorded in the environment's progress journal so `berth ui` shows the deploy live.
      const journal = await journalFor(config, 'deploy', global.json ? silentProgress : createProgress());
      const outcome = await journal
        .track(() => operations.deploy({ image: options.image, tag: options.tag, yes: global.yes, timeoutSeconds, signal: interrupt.signal, ...(options.takeOver ? { takeOver: true } : {}), ...(buildsAhead ? { buildsAhead } : {}) }, journal.progress))
        .finally(() => {
          interrupt.dispose();
          // A deploy that stopped before it needed an image (lock held, another project's app) leaves no build running.
          cancelBuildsAhead(buildsAhead);
        });
      if (global.json) printJson(outcome);
      else if (outcome.ok) for (const line of describeOutcome(outcome)) printLine(line);
      if (outcome.interrupted) {
        if (!global.json) printError(outcome.interrupted);
        process.exitCode = EXIT_INTERRUPTED;
      } else if (!outcome.ok) {
        if (!global.json) for (const line of describeFailure(outcome)) printError(line);
        process.exitCode = 1;
      }
    });
}
