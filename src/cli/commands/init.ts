import type { Command } from 'commander';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { globalOptions } from '../global-options.js';
import { formatRows, paint, printError, printJson, printLine, printWarning } from '../output.js';

/** Where init writes the JSON Schema, relative to berth.yml; the `$schema` line points here. */
export const SCHEMA_PATH = '.berth/schema.json';

function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .argument('[dir]', 'the app folder (default: the current folder)')
    .option('-y, --yes', 'ask nothing: take what berth found (also the case without a terminal)')
    .option('--force', 'replace an existing berth.yml', false)
    .description('inspect an app folder and write a commented berth.yml with what berth found')
    .addHelpText('after', `
berth init reads the Dockerfile (EXPOSE, HEALTHCHECK, CMD, USER), the framework (Flask, FastAPI, Django,
Express, Next.js, Streamlit, Rails) from requirements.txt / pyproject.toml / Pipfile / package.json / Gemfile,
health routes and secret-looking environment variables in the code, and PostgreSQL / Redis clients.
With a compose file (compose.yaml, docker-compose.yml ...) it converts it instead: each built service becomes
a web service or a worker, a migration one-off becomes release.before, postgres / redis images become the
database and cache, environment becomes env and secrets (names only, never values), and it lists every
compose key it did not carry over with what to do instead.
On a terminal it asks you to confirm each value; with --yes, or without a terminal, it takes them as found.
It writes berth.yml and ${SCHEMA_PATH} (for editor completion), and never replaces a berth.yml without --force.
A folder with no Dockerfile, compose file or app code is refused.

Examples:
  berth init
  berth init ./api --yes
  berth init --force`)
    .action(async (dirArgument: string | undefined, options: { force: boolean; yes?: boolean }, command: Command) => {
      const global = globalOptions(command);
      const dir = resolve(dirArgument ?? '.');
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new UsageError(`${dirArgument ?? dir}: not a folder`, 'pass the folder holding your app, e.g. `berth init ./api`');
      }
      const target = join(dir, 'berth.yml');
      const existing = ['berth.yml', 'berth.yaml'].map((name) => join(dir, name)).find((path) => existsSync(path));
      if (existing && !options.force) {
        throw new UsageError(`${shownPath(existing)} already exists; berth init does not replace it`, `edit it and run \`berth validate\`, or run \`berth init${dirArgument ? ` ${dirArgument}` : ''} --force\` to write a new one`);
      }

      const { scanProject } = await import('../../init/scan-project.js');
      const { appFolder, isDeployable, LOOKED_FOR } = await import('../../init/app-folder.js');
      const project = scanProject(dir);
      const folder = appFolder(project);
      if (!isDeployable(folder)) {
        throw new UsageError(
          `${shownPath(dir)}: nothing berth can deploy here; berth init looked for ${LOOKED_FOR.join(', ')}`,
          `run berth init in your app's folder, or pass it: \`berth init ./api\``,
        );
      }
      const interactive = !options.yes && !global.yes && !global.json && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);
      const names = { folderName: basename(dir), parentName: basename(dirname(dir)) };
      if (folder.composeFile) {
        const { initFromCompose } = await import('./init-compose.js');
        await initFromCompose({ dir, project, composeFile: folder.composeFile, names, interactive, json: global.json, force: options.force, existing, target });
        return;
      }

      const { inspectApp } = await import('../../init/inspect-app.js');
      const { defaultAnswers, renderBerthYml } = await import('../../init/render-berth-yml.js');
      const inspection = inspectApp(project, names);

      if (!global.json) {
        printLine(`Inspected ${shownPath(dir)}:`);
        const rows: Array<[string, string]> = [];
        rows.push(['framework', inspection.framework ? `${inspection.framework.framework.name} (${inspection.framework.reason})${inspection.framework.server ? `, served by ${inspection.framework.server.name}` : ''}` : 'not recognised']);
        rows.push(['Dockerfile', inspection.dockerfile ? `${inspection.dockerfile.path}${inspection.dockerfile.info.finalStage ? ` (FROM ${inspection.dockerfile.info.finalStage.rootImage})` : ''}` : 'none']);
        rows.push(['app', `${inspection.appName.value}: ${inspection.appName.reason}`]);
        rows.push(['port', `${inspection.port.value}: ${inspection.port.reason}`]);
        rows.push(['health path', `${inspection.healthPath.value}: ${inspection.healthPath.reason}`]);
        if (inspection.database) rows.push(['database', `postgres: ${inspection.database.reason}`]);
        if (inspection.cache) rows.push(['cache', `redis: ${inspection.cache.reason}`]);
        for (const secret of inspection.secrets) rows.push(['secret', `${secret.value}: ${secret.reason}`]);
        printLine(formatRows(rows));
        for (const warning of inspection.warnings) printWarning(warning);
        for (const note of inspection.notes) printError(`${paint('dim', 'note:', process.stderr)} ${note}`);
      }

      let answers = defaultAnswers(inspection);
      if (interactive) {
        const { promptAnswers } = await import('../../init/prompt-answers.js');
        answers = await promptAnswers(answers);
      }

      const text = renderBerthYml(inspection, answers, { schemaPath: SCHEMA_PATH });
      const written = await writeBerthYml(dir, text, existing ?? target, options.force);
      const problems = await validationProblems(written);

      if (global.json) {
        printJson({
          file: written,
          schema: join(dir, SCHEMA_PATH),
          valid: problems.length === 0,
          answers,
          findings: {
            framework: inspection.framework ? { name: inspection.framework.framework.name, reason: inspection.framework.reason, ...(inspection.framework.server ? { server: inspection.framework.server.name } : {}) } : null,
            dockerfile: inspection.dockerfile ? { path: inspection.dockerfile.path, baseImage: inspection.dockerfile.info.finalStage?.rootImage ?? null } : null,
            app: inspection.appName,
            port: { value: inspection.port.value, reason: inspection.port.reason },
            healthPath: { value: inspection.healthPath.value, reason: inspection.healthPath.reason },
            database: inspection.database ?? null,
            cache: inspection.cache ?? null,
            secrets: inspection.secrets,
          },
          warnings: inspection.warnings,
          notes: inspection.notes,
        });
        return;
      }

      printWritten(dir, written, problems);
      const configFlag = configFlagFor(written);
      const next: Array<[string, string]> = [];
      if (answers.secrets.length > 0) next.push([`berth secrets set ${answers.secrets[0]}${configFlag}`, `give each secret a value (${answers.secrets.join(', ')})`]);
      printNext(written, next);
    });
}

/** Write .berth/schema.json and berth.yml; without --force, never replace a berth.yml that appeared meanwhile. */
export async function writeBerthYml(dir: string, text: string, file: string, force: boolean): Promise<string> {
  const { berthJsonSchema } = await import('../../config/schema.js');
  mkdirSync(join(dir, '.berth'), { recursive: true });
  writeFileSync(join(dir, SCHEMA_PATH), `${JSON.stringify(berthJsonSchema(), null, 2)}\n`);
  // Without --force, 'wx' refuses to replace a file that appeared since the check for an existing one.
  writeFileSync(file, text, { flag: force ? 'w' : 'wx' });
  return file;
}

/** Validate what was written the way every command will: the lines `berth validate` would report. */
export async function validationProblems(file: string): Promise<string[]> {
  const { loadConfig } = await import('../../config/load.js');
  const { ConfigError } = await import('../../config/problems.js');
  try {
    loadConfig({ config: file });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split('\n');
  }
}

export function configFlagFor(written: string): string {
  return resolve(written) === resolve('berth.yml') ? '' : ` --config ${shownPath(written)}`;
}

export function printWritten(dir: string, written: string, problems: readonly string[]): void {
  printLine();
  printLine(`${paint('green', '✔')} wrote ${shownPath(written)} (and ${shownPath(join(dir, SCHEMA_PATH))} for editor completion)`);
  if (problems.length > 0) {
    printWarning('berth validate will report:');
    for (const problem of problems) printError(`  ${problem}`);
  }
}

/** The commands to run next: validate, deploy, then `extra` (e.g. secrets to set). */
export function printNext(written: string, extra: ReadonlyArray<[string, string]>): void {
  const configFlag = configFlagFor(written);
  printLine('Next:');
  printLine(formatRows([
    [`berth validate${configFlag}`, 'check it and see what each environment resolves to'],
    [`berth deploy${configFlag}`, 'build and run it on the local Docker engine'],
    ...extra,
  ]));
}

export { shownPath };
