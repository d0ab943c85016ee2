/**
 * The berth.yml `berth init` writes: each section with its doc from reference.ts and what was found, and why.
 * Pure text; the caller writes it.
 */
import { stringify } from 'yaml';
import { DEFAULTS } from '../config/defaults.js';
import { fieldDoc, sectionDoc } from '../config/reference.js';
import type { AppInspection } from './inspect-app.js';

/** The values berth.yml will hold, after the user confirmed or changed what inspection found. */
export interface InitAnswers {
  app: string;
  port: number;
  healthPath: string;
  database: boolean;
  cache: boolean;
  secrets: string[];
}

/** The answers `--yes` (or no TTY) takes: everything as found. */
export function defaultAnswers(inspection: AppInspection): InitAnswers {
  return {
    app: inspection.appName.value,
    port: inspection.port.value,
    healthPath: inspection.healthPath.value,
    database: inspection.database !== undefined,
    cache: inspection.cache !== undefined,
    secrets: inspection.secrets.map((secret) => secret.value),
  };
}

const WIDTH = 100;

/** `text` as `# ` comment lines of at most WIDTH columns, indented. */
export function commentLines(text: string, indent = ''): string[] {
  const prefix = `${indent}# `;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && prefix.length + line.length + 1 + word.length > WIDTH) {
        lines.push(prefix + line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line ? prefix + line : prefix.trimEnd());
  }
  return lines;
}

/** A YAML scalar as it would be written after `key: `. */
function scalar(value: string | number | boolean): string {
  return stringify(value, { aliasDuplicateObjects: false }).trimEnd();
}

const CHANGED = 'set during `berth init`';

function why<T>(found: { value: T; reason: string } | undefined, chosen: T): string {
  return found && found.value === chosen ? found.reason : CHANGED;
}

export interface RenderOptions {
  /** Where the `$schema` line points, relative to berth.yml. */
  schemaPath: string;
}

export function renderBerthYml(inspection: AppInspection, answers: InitAnswers, options: RenderOptions): string {
  const out: string[] = [];
  const blank = () => out.push('');
  const { framework, dockerfile } = inspection;

  out.push(`# yaml-language-server: $schema=${options.schemaPath}`);
  out.push(...commentLines(`berth.yml for ${answers.app}, written by \`berth init\`. Each section says what it means and what berth found in this folder.`));
  const found: string[] = [];
  if (framework) found.push(`${framework.framework.name} (${framework.reason})${framework.server ? `, served by ${framework.server.name}` : ''}`);
  if (dockerfile) found.push(`${dockerfile.path}${dockerfile.info.finalStage ? ` (FROM ${dockerfile.info.finalStage.rootImage})` : ''}`);
  else found.push('no Dockerfile yet: add one before `berth deploy`');
  out.push(...commentLines(`Found: ${found.join('; ')}.`));
  out.push(...commentLines('Check it with `berth validate`, run it on the local Docker engine with `berth deploy`. Every key is described in the berth.yml reference (docs/berth-yml.md in the berth repository).'));
  out.push('version: 1');
  blank();

  out.push(...commentLines(sectionDoc('app').summary));
  out.push(...commentLines(`${answers.app}: ${why(inspection.appName, answers.app)}.`));
  out.push(`app: ${scalar(answers.app)}`);
  blank();

  out.push(...commentLines(sectionDoc('service').summary));
  out.push('service:');
  const indent = '  ';
  out.push(...commentLines(fieldDoc('service', 'port').doc, indent));
  out.push(...commentLines(`${answers.port}: ${why(inspection.port, answers.port)}.`, indent));
  out.push(`${indent}port: ${answers.port}`);

  blank();
  out.push(...commentLines(sectionDoc('service.health').summary, indent));
  out.push(`${indent}health:`);
  out.push(...commentLines(`${answers.healthPath}: ${why(inspection.healthPath, answers.healthPath)}.`, `${indent}  `));
  out.push(`${indent}  path: ${scalar(answers.healthPath)}`);
  const timing = inspection.healthTiming;
  if (timing) {
    const keys = (['interval', 'timeout', 'unhealthyThreshold', 'gracePeriod'] as const).filter((key) => timing[key] !== undefined);
    out.push(...commentLines(`${keys.join(', ')}: ${timing.reason}, in seconds (--retries becomes unhealthyThreshold, --start-period gracePeriod).`, `${indent}  `));
    for (const key of keys) out.push(`${indent}  ${key}: ${timing[key]}`);
  } else {
    const defaults = DEFAULTS.service.health;
    out.push(`${indent}  # interval: ${defaults.interval}   # default; timeout ${defaults.timeout}, healthyThreshold ${defaults.healthyThreshold}, unhealthyThreshold ${defaults.unhealthyThreshold}, gracePeriod ${defaults.gracePeriod}`);
  }

  if (dockerfile && dockerfile.path !== DEFAULTS.service.build.dockerfile) {
    blank();
    out.push(...commentLines(sectionDoc('service.build').summary, indent));
    out.push(...commentLines(`${dockerfile.path}: the Dockerfile found in this folder (there is no ./${DEFAULTS.service.build.dockerfile}).`, indent));
    out.push(`${indent}build:`, `${indent}  dockerfile: ${scalar(dockerfile.path)}`);
  }

  if (inspection.stickySessions) {
    blank();
    out.push(...commentLines(fieldDoc('service', 'stickySessions').doc, indent));
    out.push(...commentLines(`${inspection.stickySessions.value}: ${inspection.stickySessions.reason}.`, indent));
    out.push(`${indent}stickySessions: ${scalar(inspection.stickySessions.value)}`);
  }

  blank();
  out.push(...commentLines(fieldDoc('service', 'secrets').doc, indent));
  if (answers.secrets.length > 0) {
    for (const name of answers.secrets) {
      const finding = inspection.secrets.find((secret) => secret.value === name);
      out.push(...commentLines(`${name}: ${finding ? finding.reason : CHANGED}.`, indent));
    }
    out.push(`${indent}secrets: [${answers.secrets.join(', ')}]`);
  } else {
    out.push(`${indent}# secrets: [API_KEY]   # none found in the code`);
  }

  blank();
  out.push(...commentLines(fieldDoc('service', 'env').doc, indent));
  if (inspection.otherEnv.length > 0) {
    out.push(...commentLines(`The code also reads ${inspection.otherEnv.join(', ')}; give them values here if the defaults in the code are not right.`, indent));
    out.push(`${indent}# env: { ${inspection.otherEnv.slice(0, 3).map((name) => `${name}: ...`).join(', ')} }`);
  } else {
    out.push(`${indent}# env: { LOG_LEVEL: info }`);
  }

  blank();
  out.push(...commentLines(`${sectionDoc('service.count').summary} Default: ${sectionDoc('service.count').default}.`, indent));
  out.push(`${indent}# count: 2`);
  blank();
  out.push(...commentLines(`Size of each task: ${fieldDoc('service', 'cpu').doc} ${fieldDoc('service', 'memory').doc}`, indent));
  out.push(`${indent}# cpu: ${DEFAULTS.service.cpu}`, `${indent}# memory: ${DEFAULTS.service.memory}`);
  blank();

  out.push(...commentLines(sectionDoc('database').summary));
  if (answers.database) {
    out.push(...commentLines(`Found: ${inspection.database?.reason ?? CHANGED}.`));
    out.push('database: postgres');
  } else {
    out.push(...commentLines(inspection.database ? `Turned off during \`berth init\` (found: ${inspection.database.reason}).` : 'No PostgreSQL driver found in the dependencies; uncomment to add one.'));
    out.push('# database: postgres');
  }
  blank();

  out.push(...commentLines(sectionDoc('cache').summary));
  if (answers.cache) {
    out.push(...commentLines(`Found: ${inspection.cache?.reason ?? CHANGED}.`));
    out.push('cache: redis');
  } else {
    out.push(...commentLines(inspection.cache ? `Turned off during \`berth init\` (found: ${inspection.cache.reason}).` : 'No Redis client found in the dependencies; uncomment to add one.'));
    out.push('# cache: redis');
  }
  blank();

  out.push(...commentLines(sectionDoc('domain').summary));
  out.push('# domain: app.example.com');
  blank();

  out.push(...commentLines(sectionDoc('environments').summary));
  out.push('# environments:', '#   prod:', '#     service: { count: { min: 2, max: 4, cpu: 70 } }');
  return `${out.join('\n')}\n`;
}
