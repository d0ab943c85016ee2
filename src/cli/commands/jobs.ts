import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { findService, jobServices } from '../../model/index.js';
import { closestMatch } from '../../config/suggest.js';
import { globalOptions, loadForCommand } from '../global-options.js';
import { printError, printJson } from '../output.js';
import { createProgress, silentProgress } from '../../terminal/progress.js';
import { interruptSignal } from './one-off-args.js';

export function registerJobs(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('scheduled jobs: run one now (the schedules and recent runs are in `berth status`)');

  jobs
    .command('run <name>')
    .description('run a job now with the current release, as its schedule would (timeout enforced, run recorded)')
    .addHelpText('after', `
The job's output streams to stdout/stderr; berth exits with the job's exit code. Locally the run is a
throw-away container on the environment's network, recorded with the scheduled runs (\`berth status\`).
With --json the output still streams, and the run's record is printed on stdout at the end.

Examples:
  berth jobs run fetch
  berth jobs run fetch --env prod`)
    .action(async (name: string, _options, command: Command) => {
      const global = globalOptions(command);
      const config = loadForCommand(command);
      const job = findService(config, name);
      if (!job || job.kind !== 'job') {
        const names = jobServices(config).map((entry) => entry.name);
        const meant = closestMatch(name, names);
        throw new UsageError(`${name} is not a job of ${config.app} (jobs: ${names.join(', ') || 'none'})`, meant ? `did you mean ${meant}?` : 'a job is a service with kind: job and a schedule');
      }
      const { operationsFor } = await import('../../targets/select.js');
      const operations = await operationsFor(config);
      const interrupt = interruptSignal();
      const io = { stdout: global.json ? process.stderr : process.stdout, stderr: process.stderr, tty: false };
      const progress = global.json ? silentProgress : createProgress();
      try {
        if (operations.runJob) {
          const outcome = await operations.runJob({ job: name }, io, progress, interrupt.signal);
          if (global.json) printJson({ app: config.app, env: config.env, exitCode: outcome.exitCode, run: outcome.run });
          else if (outcome.run && outcome.run.status !== 'succeeded') printError(`job ${name} ${outcome.run.status}${outcome.run.reason ? `: ${outcome.run.reason}` : ''}`);
          process.exitCode = outcome.exitCode;
        } else {
          // A target without its own job runs: the job's image, environment and command through a one-off task.
          const outcome = await operations.run({ service: name, command: [] }, io, progress, interrupt.signal);
          if (global.json) printJson({ app: config.app, env: config.env, exitCode: outcome.exitCode });
          process.exitCode = outcome.exitCode;
        }
      } finally {
        interrupt.dispose();
      }
    });
}
