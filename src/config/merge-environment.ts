/**
 * Environment overrides: shorthands are expanded first (`database: postgres` becomes
 * `{ engine: postgres }`), then mappings are deep-merged and everything else is replaced.
 */
import type { BerthFile, EnvironmentOverride } from './schema.js';

export type Sections = Omit<BerthFile, 'environments' | '$schema' | 'version' | 'ci'> & Omit<EnvironmentOverride, keyof BerthFile | 'template'>;

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Shorthand values rewritten as the mapping they stand for, so overrides can merge into them. */
export function expandShorthands<T extends Plain>(sections: T): T {
  const out: Plain = { ...sections };
  if (out.database === 'postgres') out.database = { engine: 'postgres' };
  if (out.cache === 'redis') out.cache = { engine: 'redis' };
  if (typeof out.network === 'string') out.network = { tasks: out.network };
  if (typeof out.domain === 'string') out.domain = { name: out.domain };
  return out as T;
}

export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Plain = { ...base };
    for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
    return out;
  }
  return override;
}

/** The top level with one environment's overrides merged in. */
export function mergeEnvironment(file: BerthFile, env: string): Sections {
  const { environments, $schema: _schema, version: _version, ci: _ci, ...base } = file;
  const { template: _template, ...override } = environments?.[env] ?? {};
  return deepMerge(expandShorthands(base), expandShorthands(override as Plain)) as Sections;
}

/** Whether the environment's override sets the value at `path` (or something inside it). */
export function overrideSets(file: BerthFile, env: string, path: readonly PropertyKey[]): boolean {
  let node: unknown = file.environments?.[env] ? expandShorthands(file.environments[env] as Plain) : undefined;
  for (const segment of path) {
    if (!isPlainObject(node) || !(String(segment) in node)) return false;
    node = node[String(segment)];
  }
  return node !== undefined;
}
