import type { Command } from 'commander';
import { EXIT_FAILED } from '../../errors.js';
import type { CheckResult } from '../../doctor/check-result.js';
import { globalOptions, loadForCommand } from '../global-options.js';
import { environmentLabel, paint, printJson, printLine } from '../output.js';

const MARKS = { pass: ['green', '✔'], warn: ['yellow', '!'], fail: ['red', '✖'] } as const;

export function formatCheck(result: CheckResult): string {
  const [colour, mark] = MARKS[result.status];
  const lines = [`${paint(colour, mark)} ${result.status.padEnd(4)} ${result.id}: ${result.message}`];
  if (result.fix && result.status !== 'pass') lines.push(`       ${paint('dim', 'fix:')} ${result.fix}`);
  if (result.details && result.status !== 'pass') for (const line of result.details.slice(-15)) lines.push(`       ${paint('dim', '│')} ${line}`);
  return lines.join('\n');
}

/** The hosts ports the container probe may use, from BERTH_DOCTOR_PORTS=FROM-TO (tests pin them). */
function portRange(): [number, number] | undefined {
  const match = /^(\d+)-(\d+)$/.exec(process.env.BERTH_DOCTOR_PORTS ?? '');
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check that the app will deploy, and explain the last failed deploy')
    .option('--no-docker', 'skip the checks that need the Docker engine (build, image, running the container)')
    .addHelpText('after', `
Before a deploy: the Docker engine answers, every image builds, each image's architecture matches the
arch of the services running it, release.before runs, and each service started with berth's environment
(beside throw-away PostgreSQL/Redis when berth.yml has a database/cache; the environment's own data is never
touched) does its part: a web service listens on its port and answers its health path with 2xx within the
grace period, a worker keeps running (and passes its health command); EXPOSE agrees, no image runs as root,
declared secrets have values, and no secret-looking values sit in any service's env or in build args.
With several services, the checks about one carry its name: container-runs.worker, health-path.feeds.
For AWS environments: credentials, account and region, the permissions a deploy needs, and quotas
(Fargate vCPUs summed over every service).
After a failed deploy: what went wrong, in plain words, with the fix.

Each check prints pass / warn / fail with a fix; the exit code is 1 when any check fails.

Examples:
  berth doctor
  berth doctor --env prod
  berth doctor --json`)
    .action(async (options: { docker: boolean }, command: Command) => {
      const global = globalOptions(command);
      const config = loadForCommand(command);
      const { runDoctor, localMaskValues, localSecretValues } = await import('../../doctor/run-doctor.js');
      const { createProgress } = await import('../../terminal/progress.js');
      const progress = createProgress();
      const results = await runDoctor(config, {
        progress,
        skipEngine: !options.docker,
        hostPortRange: portRange(),
        // Local secrets come from the local secret file; an AWS environment's values stay in AWS (placeholders locally).
        secretValues: config.target === 'local' ? await localSecretValues(config) : undefined,
        ...(config.target === 'local' ? { maskValues: await localMaskValues(config) } : {}),
      });
      const failed = results.filter((r) => r.status === 'fail').length;
      const warned = results.filter((r) => r.status === 'warn').length;
      if (global.json) {
        printJson({ app: config.app, env: config.env, ok: failed === 0, checks: results });
      } else {
        printLine(`berth doctor: ${config.app} ${environmentLabel(config.env, config.target)}`);
        for (const result of results) printLine(formatCheck(result));
        printLine();
        printLine(failed > 0 ? paint('red', `${failed} failing, ${warned} warning${warned === 1 ? '' : 's'}`) : paint('green', `no failing checks${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}`));
      }
      if (failed > 0) process.exitCode = EXIT_FAILED;
    });
}
