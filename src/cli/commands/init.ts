import type { Command } from 'commander';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
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
On a terminal it asks you to confirm each value; with --yes, or without a terminal, it takes them as found.
It writes berth.yml and ${SCHEMA_PATH} (for editor completion), and never replaces a berth.yml without --force.

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
      const { inspectApp } = await import('../../init/inspect-app.js');
      const { defaultAnswers, renderBerthYml } = await import('../../init/render-berth-yml.js');
      const inspection = inspectApp(scanProject(dir), { folderName: basename(dir) });

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

      const interactive = !options.yes && !global.yes && !global.json && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);
      let answers = defaultAnswers(inspection);
      if (interactive) {
        const { promptAnswers } = await import('../../init/prompt-answers.js');
        answers = await promptAnswers(answers);
      }

      const { berthJsonSchema } = await import('../../config/schema.js');
      const text = renderBerthYml(inspection, answers, { schemaPath: SCHEMA_PATH });
      mkdirSync(join(dir, '.berth'), { recursive: true });
      writeFileSync(join(dir, SCHEMA_PATH), `${JSON.stringify(berthJsonSchema(), null, 2)}\n`);
      // Without --force, 'wx' refuses to replace a file that appeared since the check above.
      const written = existing ?? target;
      writeFileSync(written, text, { flag: options.force ? 'w' : 'wx' });

      // Validate what was written the way every command will, and say what it would report.
      const { loadConfig } = await import('../../config/load.js');
      const { ConfigError } = await import('../../config/problems.js');
      let problems: string[] = [];
      try {
        loadConfig({ config: written });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.message.split('\n');
      }

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

      printLine();
      printLine(`${paint('green', '✔')} wrote ${shownPath(written)} (and ${shownPath(join(dir, SCHEMA_PATH))} for editor completion)`);
      if (problems.length > 0) {
        printWarning('berth validate will report:');
        for (const problem of problems) printError(`  ${problem}`);
      }
      const configFlag = resolve(written) === resolve('berth.yml') ? '' : ` --config ${shownPath(written)}`;
      printLine('Next:');
      const next: Array<[string, string]> = [
        [`berth validate${configFlag}`, 'check it and see what each environment resolves to'],
        [`berth deploy${configFlag}`, 'build and run it on the local Docker engine'],
      ];
      if (answers.secrets.length > 0) next.push([`berth secrets set ${answers.secrets[0]}${configFlag}`, `give each secret a value (${answers.secrets.join(', ')})`]);
      printLine(formatRows(next));
    });
}
