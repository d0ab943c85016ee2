/** The documented output of `berth validate` (docs/json-output.md). */
import { relative } from 'node:path';
import type { BuildSpec, ResolvedConfig } from '../../config/model.js';

/** Stable JSON: paths inside the app folder are shown relative to berth.yml. */
export function resolvedToJson(config: ResolvedConfig): { file: string; env: string; target: string; config: Record<string, unknown> } {
  const { file, dir, env, target, ...rest } = config;
  const rel = (path: string) => relative(dir, path) || '.';
  const relBuild = <T extends { build?: BuildSpec }>(value: T): T =>
    value.build ? { ...value, build: { ...value.build, context: rel(value.build.context), dockerfile: rel(value.build.dockerfile) } } : value;
  const services = rest.services.map(relBuild);
  // Deprecated alias (output version 1): the single service's fields, kept while files with one service exist.
  const single = services.length === 1 ? { service: services[0] } : {};
  return { file, env, target, config: { ...rest, image: relBuild(rest.image), services, ...single } };
}

/** What validate shows instead of an env value the warnings call secret-looking: the name stays, the value never shows. */
export const MASKED_ENV_VALUE = '*** (looks like a secret; see the warning)';

/** The env names the config warnings call secret-looking (their path ends in `env.<NAME>`). */
export function secretLookingEnvNames(warnings: readonly { path: string }[]): Set<string> {
  return new Set(warnings.map((warning) => warning.path.split('.')).filter((path) => path.at(-2) === 'env').map((path) => path.at(-1)!));
}

/** A copy of resolved config data with the values of `names` masked in every `env` map (services, jobs, the alias). */
export function maskEnvValues<T>(value: T, names: ReadonlySet<string>): T {
  if (names.size === 0) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => maskEnvValues(item, names)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [
    key,
    key === 'env' && item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).map(([name, text]) => [name, names.has(name) ? MASKED_ENV_VALUE : text]))
      : maskEnvValues(item, names),
  ])) as T;
}

export function describeResolved(config: ResolvedConfig): string {
  const parts = [
    `${config.app} (${config.env}${config.production ? ', production' : ''}) is valid`,
    `target: ${config.target === 'local' ? 'local Docker engine' : `AWS${config.region ? ` ${config.region}` : ''}`}`,
  ];
  return parts.join('; ');
}
