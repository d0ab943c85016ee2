/** The documented output of `berth validate` (docs/json-output.md). */
import { relative } from 'node:path';
import type { ResolvedConfig } from '../../config/model.js';

/** Stable JSON: paths inside the app folder are shown relative to berth.yml. */
export function resolvedToJson(config: ResolvedConfig): { file: string; env: string; target: string; config: Record<string, unknown> } {
  const { file, dir, env, target, ...rest } = config;
  const rel = (path: string) => relative(dir, path) || '.';
  const service = {
    ...rest.service,
    ...(rest.service.build ? { build: { ...rest.service.build, context: rel(rest.service.build.context), dockerfile: rel(rest.service.build.dockerfile) } } : {}),
  };
  return { file, env, target, config: { ...rest, service } };
}

export function describeResolved(config: ResolvedConfig): string {
  const parts = [
    `${config.app} (${config.env}${config.production ? ', production' : ''}) is valid`,
    `target: ${config.target === 'local' ? 'local Docker engine' : `AWS${config.region ? ` ${config.region}` : ''}`}`,
  ];
  return parts.join('; ');
}
