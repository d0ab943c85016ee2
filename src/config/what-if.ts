/**
 * berth.yml with hypothetical changes: `--what-if service.arch=arm64` sets the field in the chosen
 * environment's override and resolves it again, through the same schema and checks as the file itself.
 */
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import { DEFAULT_ENV } from './defaults.js';
import type { LoadOptions } from './load.js';
import { environmentNames, findConfigFile, parseConfigFile, undeclaredEnvironment } from './load.js';
import { withTemplateInstance } from './environment-templates.js';
import { expandShorthands, mergeEnvironment } from './merge-environment.js';
import type { ResolvedConfig } from './model.js';
import { dottedPath } from './problems.js';
import { isProductionEnv, resolveSections } from './resolve.js';
import { coerceNumericStrings } from './numeric-strings.js';
import { berthFileSchema } from './schema.js';
import { checkSections } from './semantic-checks.js';
import { problemsFromIssues } from './zod-problems.js';

export interface ConfigOverride {
  /** As written: "service.arch=arm64". */
  text: string;
  /** berth.yml field path: ["service", "arch"]. */
  path: string[];
  /** The value, read as YAML: numbers, booleans and strings as berth.yml would read them. */
  value: unknown;
}

/** Parse KEY=VALUE (VALUE is YAML, e.g. 512, true, arm64, "[a, b]"). */
export function parseOverride(text: string, flag = '--what-if'): ConfigOverride {
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at).trim() : '';
  if (!key || !/^[A-Za-z][\w-]*(\.[\w-]+)*$/.test(key)) {
    throw new UsageError(`${flag} ${text}: expected KEY=VALUE with a berth.yml field path`, `for example ${flag} service.arch=arm64 or ${flag} service.count.min=2`);
  }
  let value: unknown;
  try {
    value = parseYaml(text.slice(at + 1));
  } catch {
    value = text.slice(at + 1);
  }
  return { text, path: key.split('.'), value: value ?? null };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node[key] = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...next } : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Load berth.yml and resolve `env` with the overrides applied to that environment. */
export function loadConfigWithOverrides(options: LoadOptions, overrides: readonly ConfigOverride[]): ResolvedConfig {
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(options);
  const parsed = parseConfigFile(file, cwd);
  const env = options.env ?? DEFAULT_ENV;
  const instance = withTemplateInstance(parsed.data, env, parsed.shownAs);
  const environments = environmentNames(instance.data);
  if (!environments.includes(env)) throw undeclaredEnvironment(parsed, env, environments);
  const data = structuredClone(instance.data) as Record<string, unknown> & { environments?: Record<string, unknown> };
  const override = expandShorthands({ ...((data.environments?.[env] as Record<string, unknown> | null | undefined) ?? {}) });
  for (const change of overrides) setPath(override, change.path, change.value);
  data.environments = { ...(data.environments ?? {}), [env]: override };
  const shown = overrides.map((change) => change.text).join(' ');

  const result = berthFileSchema.safeParse(coerceNumericStrings(data));
  if (!result.success) {
    const problems = problemsFromIssues(result.error.issues, data).map((problem) => `${dottedPath(problem.path).replace(`environments.${env}.`, '')}: ${problem.message}`);
    throw new UsageError(`--what-if ${shown}: ${problems.join('; ')}`, 'the value must be valid where berth.yml would accept it; see `berth schema`');
  }
  const sections = mergeEnvironment(result.data, env);
  const production = isProductionEnv(env, sections.production);
  const problems = checkSections(sections, { dir: resolve(file, '..'), env, production });
  if (problems.length > 0) {
    throw new UsageError(`--what-if ${shown}: ${problems.map((problem) => `${dottedPath(problem.path)}: ${problem.message}`).join('; ')}`);
  }
  const resolved = resolveSections(sections, file, env, environments);
  return instance.template ? { ...resolved, fromTemplate: instance.template.name } : resolved;
}
