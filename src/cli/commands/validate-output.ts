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

export function describeResolved(config: ResolvedConfig): string {
  const parts = [
    `${config.app} (${config.env}${config.production ? ', production' : ''}) is valid`,
    `target: ${config.target === 'local' ? 'local Docker engine' : `AWS${config.region ? ` ${config.region}` : ''}`}`,
  ];
  return parts.join('; ');
}
