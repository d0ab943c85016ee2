/** The berth command line: global options, the commands, and how errors become exit codes. */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/problems.js';
import { BerthError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../errors.js';
import { BERTH_VERSION } from '../package-files.js';
import { COMMANDS } from './commands/index.js';
import { paint, printError } from './output.js';


export function buildProgram(): Command {
  const program = new Command('berth')
    .description('Take a containerized web app from your laptop to production on AWS, and operate it.\nThe same berth.yml runs on the local Docker engine (environment "local", the default).')
    .version(BERTH_VERSION, '-v, --version', 'print the berth version')
    .addOption(new Option('-c, --config <file>', 'berth.yml to use (default: ./berth.yml)'))
    .addOption(new Option('-e, --env <name>', 'environment to act on').default('local').argParser(collectEnvironments))
    .addOption(new Option('--json', 'machine-readable output on stdout').default(false))
    .addOption(new Option('--debug', 'show stack traces and internal detail').default(false))
    .addOption(new Option('-y, --yes', 'answer yes to confirmations (needed without a TTY)').default(false))
    .addOption(new Option('--profile <name>', 'AWS profile for AWS environments (default: AWS_PROFILE, then the standard credential chain)'))
    .addOption(new Option('--region <region>', 'AWS region for AWS environments (default: region in berth.yml, then AWS_REGION)'))
    .hook('preAction', (command) => applyAwsFlags(command.opts<{ profile?: string; region?: string }>()))
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const register of COMMANDS) register(program);
  for (const command of program.commands) command.exitOverride();
  program.addHelpText('after', `
Examples:
  berth init                      write a berth.yml for the app in this folder
  berth validate --env prod       check berth.yml and show what prod resolves to
  berth deploy                    build and run on the local Docker engine

Exit codes: 0 success, 1 an operation failed, 2 a usage or configuration error.`);
  return program;
}

/**
 * --profile and --region reach every AWS client (and toolkit-lib) through the environment: AWS_PROFILE is
 * what the standard credential chain reads; the region flag has its own variable because berth.yml's region
 * outranks AWS_REGION but not the flag (src/targets/aws/aws-session.ts).
 */
export function applyAwsFlags(flags: { profile?: string; region?: string }, env: NodeJS.ProcessEnv = process.env): void {
  if (flags.profile) env.AWS_PROFILE = flags.profile;
  if (flags.region) env.BERTH_AWS_REGION = flags.region;
}

/** Every --env given, in order (`berth ci github --env staging --env prod`); other commands act on the last one. */
export function collectEnvironments(value: string, previous: string | string[]): string[] {
  return Array.isArray(previous) ? [...previous, value] : [value];
}

/**
 * Before any AWS SDK client exists (toolkit-lib creates its own): berth supports Node 20.19+, and the SDK's
 * multi-line notice about its future Node 22 floor is not the user's problem today.
 */
export function quietAwsSdk(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED) env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

/** Runs berth with process-style argv; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  quietAwsSdk();
  const debug = argv.includes('--debug');
  // `berth status | head`: a reader that goes away is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
      throw error;
    });
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    return reportError(error, debug);
  }
}

export function reportError(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    printError(error.message);
    const count = error.problems.length;
    printError(paint('dim', `${count} problem${count === 1 ? '' : 's'} in the configuration`, process.stderr));
    if (debug) printError(error.stack ?? '');
    return error.exitCode;
  }
  if (error instanceof BerthError) {
    printError(`${paint('red', 'error:', process.stderr)} ${error.message}`);
    if (error.hint) printError(`${paint('dim', 'hint:', process.stderr)} ${error.hint}`);
    if (debug) printError(error.stack ?? '');
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(`${paint('red', 'error:', process.stderr)} ${message}`);
  if (debug) printError(error instanceof Error ? (error.stack ?? '') : '');
  else printError(paint('dim', 'run again with --debug for details', process.stderr));
  return EXIT_FAILED;
}
