/** `berth init` in a folder with a compose file: convert it, say what became of each service and what was left out. */
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { ComposeFileError, parseComposeFile } from '../../init/compose/compose-file.js';
import { convertCompose, withAppName } from '../../init/compose/convert-compose.js';
import { renderComposeBerthYml } from '../../init/compose/render-compose-berth-yml.js';
import type { ProjectFiles } from '../../init/project-files.js';
import { formatRows, paint, printError, printJson, printLine, printWarning } from '../output.js';
import { configFlagFor, printNext, printWritten, SCHEMA_PATH, shownPath, validationProblems, writeBerthYml } from './init.js';

export interface ComposeInitRequest {
  dir: string;
  project: ProjectFiles;
  composeFile: string;
  names: { folderName: string; parentName?: string };
  interactive: boolean;
  json: boolean;
  force: boolean;
  /** An existing berth.yml / berth.yaml to replace (with --force). */
  existing: string | undefined;
  /** Where berth.yml goes otherwise. */
  target: string;
}

export async function initFromCompose(request: ComposeInitRequest): Promise<void> {
  const { dir, project, composeFile, json } = request;
  const text = project.read(composeFile);
  if (text === undefined) throw new UsageError(`${shownPath(join(dir, composeFile))}: cannot be read (or is larger than berth init reads)`, 'make it readable, or run berth init in a folder without it');
  let compose;
  try {
    compose = parseComposeFile(text, composeFile, project);
  } catch (error) {
    if (!(error instanceof ComposeFileError)) throw error;
    throw new UsageError(`${shownPath(join(dir, error.message))}`, '`docker compose config` shows the same problem; fix the compose file, then run berth init again');
  }
  let conversion = convertCompose(compose, project, request.names);

  if (!json) {
    printLine(`Read ${shownPath(join(dir, composeFile))}:`);
    printLine(formatRows(conversion.outcomes.map((outcome) => [outcome.compose, outcome.became])));
    printLine(`App name: ${conversion.draft.app} (${conversion.reasons.app})`);
    for (const warning of conversion.warnings) printWarning(warning);
    for (const note of conversion.notes) printError(`${paint('dim', 'note:', process.stderr)} ${note}`);
    if (conversion.leftOut.length > 0) {
      printLine();
      printLine(`Not carried over from ${composeFile} (also listed at the end of berth.yml):`);
      for (const item of conversion.leftOut) printLine(`  ${item.path}${item.what ? ` (${item.what})` : ''}: ${item.reason}`);
    }
    if (conversion.secrets.length > 0) {
      printLine();
      printLine('Secrets: berth.yml names them; their values were not copied from any file:');
      printLine(formatRows(conversion.secrets.map((secret) => [secret.name, secret.valueLeftOutFrom ? `the value in ${secret.valueLeftOutFrom} was left out` : 'no value in the compose files'])));
    }
  }

  if (request.interactive) {
    const { promptAppName } = await import('../../init/prompt-answers.js');
    conversion = withAppName(conversion, await promptAppName(conversion.draft.app));
  }

  const berthYml = renderComposeBerthYml(conversion, { schemaPath: SCHEMA_PATH });
  const written = await writeBerthYml(dir, berthYml, request.existing ?? request.target, request.force);
  const problems = await validationProblems(written);

  if (json) {
    printJson({
      file: written,
      schema: join(dir, SCHEMA_PATH),
      valid: problems.length === 0,
      app: { value: conversion.draft.app, reason: conversion.reasons.app },
      compose: {
        file: composeFile,
        services: conversion.outcomes,
        leftOut: conversion.leftOut,
        secrets: conversion.secrets,
      },
      warnings: conversion.warnings,
      notes: conversion.notes,
    });
    return;
  }
  printWritten(dir, written, problems);
  const configFlag = configFlagFor(written);
  printNext(written, conversion.secrets.map((secret) => [`berth secrets set ${secret.name}${configFlag}`, 'store its value (a hidden prompt, or piped on stdin)']));
}
