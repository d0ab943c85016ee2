/**
 * Read berth.yml, validate it whole (every problem at once, with file:line:column and the dotted
 * field path), and resolve one environment.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Document, Node } from 'yaml';
import type { LineCounter } from 'yaml';
import { isMap, isScalar, isSeq } from 'yaml';
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
import { configWarnings } from './config-warnings.js';
import { checkSections } from './semantic-checks.js';
import { closestMatch } from './suggest.js';
import { coerceNumericStrings } from './numeric-strings.js';
import { readConfigText } from './read-config-file.js';
import type { FieldProblem } from './zod-problems.js';
import { knownKeysAt, problemsFromIssues } from './zod-problems.js';
import { readYamlConfig } from './yaml-document.js';

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

/**
 * The position of a path: its value (or its key, with atKey). When the path is not written out, the deepest key
 * of it that is (`service.build.dockerfile` without a build points at `service:`), else the start of the file.
 */
function locator(doc: Document, lines: LineCounter) {
  return (path: readonly PropertyKey[], atKey = false) => {
    let node: Node | null | undefined = doc.contents as Node | null;
    let keyNode: Node | undefined;
    let complete = true;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) { complete = false; break; }
        keyNode = pair.key as Node;
        node = pair.value as Node | null;
        if (!node) { node = keyNode; complete = false; break; }
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        keyNode = undefined;
        node = node.items[segment] as Node;
      } else {
        complete = false;
        break;
      }
    }
    const target = (atKey || !complete) && keyNode ? keyNode : node;
    const offset = target?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

/** A schema problem, and the places later checks must not report again because of it. */
interface SchemaPass {
  problems: FieldProblem[];
  /** The data with every refused value taken out, as the schema parsed it; undefined if that did not converge. */
  parsed?: BerthFile;
  /** Paths taken out (and the keys unknown keys were probably meant to be). */
  removed: PropertyKey[][];
}

/** The schema with `app` optional, for the data left after refused values are taken out (app among them). */
const leftoverSchema = berthFileSchema.extend({ app: berthFileSchema.shape.app.optional() });

/**
 * Every schema problem, and the data that remains valid: each refused value is taken out and the rest parsed again,
 * so the semantic checks still run on what parsed (a type error in one field does not hide the other problems).
 */
function schemaPass(data: unknown, removedBefore: PropertyKey[][]): SchemaPass {
  const first = berthFileSchema.safeParse(data);
  if (first.success) return { problems: [], parsed: first.data, removed: removedBefore };
  const problems = problemsFromIssues(first.error.issues, data);
  const removed = [...removedBefore];
  const rest = structuredClone(data) as Record<string, unknown>;
  let pending = problems;
  for (let round = 0; round < 8; round++) {
    for (const problem of pending) {
      const taken = takeOut(rest, problem.path);
      if (taken) removed.push(taken);
      if (problem.meant) removed.push(problem.meant);
    }
    const again = leftoverSchema.safeParse(rest);
    if (again.success) return { problems, parsed: again.data as BerthFile, removed };
    pending = problemsFromIssues(again.error.issues, rest);
  }
  return { problems, removed };
}

/** Removes the value at path (a list entry takes its list; a missing required value its parent); the path removed. */
function takeOut(root: Record<string, unknown>, path: readonly PropertyKey[]): PropertyKey[] | undefined {
  let at = [...path];
  while (at.length > 0 && typeof at[at.length - 1] === 'number') at.pop();
  for (;;) {
    if (at.length === 0) return undefined;
    const parent = valueAtPath(root, at.slice(0, -1));
    const key = String(at[at.length - 1]);
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent) && Object.hasOwn(parent, key)) {
      delete (parent as Record<string, unknown>)[key];
      return at;
    }
    // Not there: a required value is missing, so its parent cannot stand.
    at = at.slice(0, -1);
    while (at.length > 0 && typeof at[at.length - 1] === 'number') at.pop();
  }
}

function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  return node;
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => String(segment) === String(path[index]));
}

/** Whether a later problem is about a place an earlier one already reported (or a value taken out because of it). */
function alreadyReported(problem: { path: readonly PropertyKey[]; involves?: PropertyKey[][]; atKey?: boolean }, removed: readonly PropertyKey[][]): boolean {
  return [problem.path, ...(problem.involves ?? [])].some((path) =>
    removed.some((gone) => startsWith(path, gone) || (!problem.atKey && gone.length > path.length && startsWith(gone, path))));
}

/** Parse and schema-check the whole file (every environment), or throw ConfigError with every problem. */
export function parseConfigFile(file: string, cwd = process.cwd()): ParsedConfigFile {
  const shownAs = displayPath(file, cwd);
  const text = readConfigText(file, shownAs);
  const yaml = readYamlConfig(text, shownAs, knownKeysAt([]));
  const locate = locator(yaml.doc, yaml.lines);
  const toProblem = (problem: FieldProblem, path: readonly PropertyKey[] = problem.path): ConfigProblem => ({
    file: shownAs,
    ...locate(path, problem.atKey),
    path: dottedPath(path),
    message: problem.message,
    ...(problem.hint ? { hint: problem.hint } : {}),
  });
  const data = coerceNumericStrings(yaml.data);
  const pass = schemaPass(data, yaml.removed);
  if (pass.problems.length === 0 && yaml.problems.length === 0) {
    return { file, shownAs, data: pass.parsed!, locate: (path, atKey) => locate(path, atKey) };
  }
  const problems = [...yaml.problems, ...pass.problems.map((problem) => toProblem(problem))];
  if (pass.parsed) {
    const rest: ParsedConfigFile = { file, shownAs, data: pass.parsed, locate };
    problems.push(...checkEnvironments(rest, pass.removed));
  }
  // In file order: schema and semantic problems interleave as a reader meets them.
  throw new ConfigError(dedupe(problems).sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)));
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}|${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The declared environments: local first, then every entry under environments that is not a template. */
export function environmentNames(data: BerthFile): string[] {
  return [DEFAULT_ENV, ...Object.keys(data.environments ?? {}).filter((name) => name !== DEFAULT_ENV && !isTemplateName(data, name))];
}

/** Semantic problems of every environment, each reported where it was written (base or override). */
export function checkEnvironments(parsed: ParsedConfigFile, removed: readonly PropertyKey[][] = []): ConfigProblem[] {
  const { data, shownAs, locate } = parsed;
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const push = (path: readonly PropertyKey[], message: string, hint?: string, atKey = false, involves: PropertyKey[][] = []) => {
    if (removed.length > 0 && alreadyReported({ path, involves, atKey }, removed)) return;
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
      // A value taken out of this environment's override (refused by the schema) may have caused it too.
      const involves = [...(problem.involves ?? []), ...(problem.involves ?? []).map((other) => [...envPath, ...other]), [...envPath, ...problem.path]];
      push(path, problem.message, problem.hint, problem.atKey, involves);
    }
  }
  return problems;
}

/** Load berth.yml and resolve one environment, or throw ConfigError / UsageError. */
export function loadConfig(options: LoadOptions = {}): ResolvedConfig {
  return loadConfigWithWarnings(options).config;
}

/** loadConfig, and the warnings about the file (valid, but probably a mistake: config-warnings.ts), each at its line. */
export function loadConfigWithWarnings(options: LoadOptions = {}): { config: ResolvedConfig; warnings: ConfigProblem[] } {
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(options);
  const parsed = parseConfigFile(file, cwd);
  const problems = checkEnvironments(parsed);
  if (problems.length > 0) throw new ConfigError(problems);
  const warnings = configWarnings(parsed.data).map((warning): ConfigProblem => ({
    file: parsed.shownAs,
    ...parsed.locate(warning.path, true),
    path: dottedPath(warning.path),
    message: warning.message,
    hint: warning.hint,
  }));
  return { config: resolveEnvironment(parsed, file, options.env ?? DEFAULT_ENV), warnings };
}

function resolveEnvironment(parsed: ParsedConfigFile, file: string, env: string): ResolvedConfig {
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
