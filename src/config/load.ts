/**
 * Read berth.yml, validate it whole (every problem at once, with file:line:column and the dotted
 * field path), and resolve one environment.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Document, Node } from 'yaml';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { DEFAULT_ENV } from './defaults.js';
import { checkTemplates, environmentTemplates, isTemplateName, withTemplateInstance } from './environment-templates.js';
import { mergeEnvironment, overrideSets } from './merge-environment.js';
import type { ResolvedConfig } from './model.js';
import type { ConfigProblem } from './problems.js';
import { ConfigError, dottedPath } from './problems.js';
import { registryRetention } from './registry-retention.js';
import { resolveSections, isProductionEnv } from './resolve.js';
import type { BerthFile } from './schema.js';
import { berthFileSchema, ENV_NAME_MAX, ENV_NAME_PATTERN } from './schema.js';
import { checkSections } from './semantic-checks.js';
import { closestMatch } from './suggest.js';
import type { FieldProblem } from './zod-problems.js';
import { problemsFromIssues } from './zod-problems.js';

export const CONFIG_FILE_NAMES = ['berth.yml', 'berth.yaml'];

export interface LoadOptions {
  /** --config; default: berth.yml in the working directory. */
  config?: string;
  /** --env; default: local. */
  env?: string;
  cwd?: string;
}

/** The berth.yml to read: --config, or berth.yml / berth.yaml in the working directory. */
export function findConfigFile(options: LoadOptions): string {
  const cwd = options.cwd ?? process.cwd();
  if (options.config) {
    const file = resolve(cwd, options.config);
    if (!existsSync(file)) throw new UsageError(`${options.config}: file not found`, 'check the --config path, or run `berth init` to create one');
    if (statSync(file).isDirectory()) {
      const inside = CONFIG_FILE_NAMES.map((name) => resolve(file, name)).find((candidate) => existsSync(candidate));
      if (!inside) throw new UsageError(`${options.config}: no berth.yml in this folder`, `run \`berth init ${options.config}\` to create one`);
      return inside;
    }
    return file;
  }
  const found = CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (!found) throw new UsageError(`no berth.yml in ${cwd}`, 'run `berth init` to create one, or pass --config FILE');
  return found;
}

/** A parsed, schema-checked berth.yml with what is needed to point problems at lines. */
export interface ParsedConfigFile {
  file: string;
  /** The path as shown to the user (relative to the working directory when inside it). */
  shownAs: string;
  data: BerthFile;
  locate: (path: readonly PropertyKey[], atKey?: boolean) => { line: number; column: number } | undefined;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function locator(doc: Document, lines: LineCounter) {
  return (path: readonly PropertyKey[], atKey = false) => {
    let node: Node | null | undefined = doc.contents as Node | null;
    let keyNode: Node | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        keyNode = pair.key as Node;
        node = pair.value as Node | null;
        if (!node) { node = keyNode; break; }
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        keyNode = undefined;
        node = node.items[segment] as Node;
      } else {
        break;
      }
    }
    const target = atKey && keyNode ? keyNode : node;
    const offset = target?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

/** Parse and schema-check the whole file (every environment), or throw ConfigError with every problem. */
export function parseConfigFile(file: string, cwd = process.cwd()): ParsedConfigFile {
  const shownAs = displayPath(file, cwd);
  const fail = (problem: Omit<ConfigProblem, 'file'>): never => {
    throw new ConfigError([{ file: shownAs, ...problem }]);
  };
  const text = readFileSync(file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
        return { file: shownAs, ...(pos ? { line: pos.line, column: pos.col } : {}), path: '', message: `YAML syntax error: ${message}` };
      }),
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    fail({ path: '', message: 'the file is empty; expected at least `app:` and `service: { port: ... }`', hint: 'run `berth init` to write a commented berth.yml' });
  }
  if (!isMap(doc.contents)) {
    const pos = lines.linePos(doc.contents!.range?.[0] ?? 0);
    fail({ line: pos.line, column: pos.col, path: '', message: `expected a mapping of keys (app:, service:, ...), got ${isSeq(doc.contents) ? 'a list' : 'a single value'}` });
  }
  const data: unknown = doc.toJS();
  const locate = locator(doc, lines);
  const toProblem = (problem: FieldProblem, path: readonly PropertyKey[] = problem.path): ConfigProblem => ({
    file: shownAs,
    ...locate(path, problem.atKey),
    path: dottedPath(path),
    message: problem.message,
    ...(problem.hint ? { hint: problem.hint } : {}),
  });
  const result = berthFileSchema.safeParse(data);
  if (!result.success) throw new ConfigError(problemsFromIssues(result.error.issues, data).map((p) => toProblem(p)));
  return { file, shownAs, data: result.data, locate: (path, atKey) => locate(path, atKey) };
}

/** The declared environments: local first, then every entry under environments that is not a template. */
export function environmentNames(data: BerthFile): string[] {
  return [DEFAULT_ENV, ...Object.keys(data.environments ?? {}).filter((name) => name !== DEFAULT_ENV && !isTemplateName(data, name))];
}

/** Semantic problems of every environment, each reported where it was written (base or override). */
export function checkEnvironments(parsed: ParsedConfigFile): ConfigProblem[] {
  const { data, shownAs, locate } = parsed;
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const push = (path: readonly PropertyKey[], message: string, hint?: string, atKey = false) => {
    const problem: ConfigProblem = { file: shownAs, ...locate(path, atKey), path: dottedPath(path), message, ...(hint ? { hint } : {}) };
    const key = `${problem.path}|${problem.message}`;
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  };
  for (const problem of checkTemplates(data)) push(problem.path, problem.message, problem.hint, problem.atKey);
  // A template is checked like an environment: an instance has its settings.
  for (const env of [...environmentNames(data), ...environmentTemplates(data).map((template) => template.name)]) {
    const envPath = ['environments', env];
    if (env !== DEFAULT_ENV && (!ENV_NAME_PATTERN.test(env) || env.length > ENV_NAME_MAX)) {
      push(envPath, `"${env}" is not a valid environment name: use 1-${ENV_NAME_MAX} lowercase letters, digits and hyphens, starting with a letter`, undefined, true);
      continue;
    }
    const override = data.environments?.[env];
    if (env === DEFAULT_ENV && override?.production) {
      push([...envPath, 'production'], 'the local environment cannot be production');
    }
    const sections = mergeEnvironment(data, env);
    const production = isTemplateName(data, env) ? (sections.production ?? false) : isProductionEnv(env, sections.production);
    for (const problem of checkSections(sections, { dir: resolve(parsed.file, '..'), env, production })) {
      const fromOverride = [problem.path, ...(problem.involves ?? [])].some((path) => overrideSets(data, env, path));
      const path = fromOverride ? [...envPath, ...problem.path] : problem.path;
      push(path, problem.message, problem.hint, problem.atKey);
    }
  }
  return problems;
}

/** Load berth.yml and resolve one environment, or throw ConfigError / UsageError. */
export function loadConfig(options: LoadOptions = {}): ResolvedConfig {
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(options);
  const parsed = parseConfigFile(file, cwd);
  const problems = checkEnvironments(parsed);
  if (problems.length > 0) throw new ConfigError(problems);
  const env = options.env ?? DEFAULT_ENV;
  const { data, template } = withTemplateInstance(parsed.data, env, parsed.shownAs);
  const environments = environmentNames(data);
  if (!environments.includes(env)) throw undeclaredEnvironment(parsed, env, environments);
  const merged = resolveSections(mergeEnvironment(data, env), file, env, environments);
  const resolved = { ...merged, registry: { ...merged.registry, retention: registryRetention(parsed.data) } };
  return template ? { ...resolved, fromTemplate: template.name } : resolved;
}

/** The usage error for an environment that is neither declared nor matched by a template. */
export function undeclaredEnvironment(parsed: Pick<ParsedConfigFile, 'shownAs' | 'data'>, env: string, environments: string[]): UsageError {
  const suggestion = closestMatch(env, environments);
  const templates = environmentTemplates(parsed.data).map((t) => `${t.pattern} (from ${t.name})`);
  return new UsageError(
    `${parsed.shownAs}: environment "${env}" is not declared (declared: ${environments.join(', ')}${templates.length ? `; made from templates: ${templates.join(', ')}` : ''})`,
    suggestion ? `did you mean "${suggestion}"?` : `add it under environments: in ${parsed.shownAs}`,
  );
}
