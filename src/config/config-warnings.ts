/**
 * Warnings about a valid berth.yml: things berth runs as written but that are probably a mistake. Today one kind:
 * an `env` entry (top level, a service's, or an environment's override of either) that looks like a secret by
 * the one shared rule (secret-names.ts). env values are plain text in the ECS task definition, the container's
 * inspect output and the repository; secrets are not. The value itself is never part of a warning.
 */
import { secretLooking, BROWSER_PUBLIC_NAMES } from './secret-names.js';
import type { BerthFile } from './schema.js';

export interface ConfigWarning {
  /** Where the entry is written, e.g. ['services', 'api', 'env', 'STRIPE_SECRET_KEY']. */
  path: PropertyKey[];
  message: string;
  hint: string;
}

/** Names framework bundlers send to the browser are public by design (the doctor's rule too). */
const ENV_SECRET_RULE = { exclude: [BROWSER_PUBLIC_NAMES] };

type EnvHolder = { env?: Record<string, string | number | boolean> | undefined; secrets?: string[] | undefined };
type Sections = EnvHolder & { service?: EnvHolder | undefined; services?: Record<string, EnvHolder | undefined> | undefined };

function envWarnings(holder: EnvHolder | undefined, base: PropertyKey[], secretsAt: string, env?: string): ConfigWarning[] {
  return Object.entries(holder?.env ?? {}).flatMap(([name, value]) => {
    const why = secretLooking(name, String(value), ENV_SECRET_RULE);
    if (!why) return [];
    return [{
      path: [...base, 'env', name],
      message: `looks like a secret (${why}); env values are stored in plain text (in the ECS task definition, \`docker inspect\` and berth.yml)`,
      hint: `move it to ${secretsAt}: [${name}] and set the value with \`berth secrets set ${name}${env ? ` --env ${env}` : ''}\``,
    }];
  });
}

function sectionWarnings(sections: Sections | null | undefined, base: PropertyKey[], env?: string): ConfigWarning[] {
  if (!sections) return [];
  const at = (path: PropertyKey[]) => [...base, ...path].join('.');
  return [
    ...envWarnings(sections, base, at(['secrets']), env),
    ...envWarnings(sections.service, [...base, 'service'], at(['service', 'secrets']), env),
    ...Object.entries(sections.services ?? {}).flatMap(([name, service]) => envWarnings(service, [...base, 'services', name], at(['services', name, 'secrets']), env)),
  ];
}

/** Every warning in the file, in file order: the top level first, then each environment's overrides. */
export function configWarnings(data: BerthFile): ConfigWarning[] {
  return [
    ...sectionWarnings(data, []),
    ...Object.entries(data.environments ?? {}).flatMap(([env, override]) => sectionWarnings(override, ['environments', env], override?.template ? undefined : env)),
  ];
}
