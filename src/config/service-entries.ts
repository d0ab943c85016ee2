/**
 * The services of one environment's merged sections as written: `service:` (the shorthand for one service named
 * `web`) or `services:`, each with the path its problems are reported at, and the top-level keys it inherits.
 */
import { DEFAULTS } from './defaults.js';
import type { Sections } from './merge-environment.js';

export type RawService = NonNullable<Sections['service']>;

export interface ServiceEntry {
  name: string;
  raw: RawService;
  /** Where the service is written: ['service'] or ['services', name]. */
  path: PropertyKey[];
  /** The `service:` shorthand: its build and image are the app's image. */
  shorthand: boolean;
}

export function serviceEntries(sections: Pick<Sections, 'service' | 'services'>): ServiceEntry[] {
  if (sections.services) {
    return Object.entries(sections.services).map(([name, raw]) => ({ name, raw: raw ?? {}, path: ['services', name], shorthand: false }));
  }
  if (sections.service) return [{ name: DEFAULTS.serviceName, raw: sections.service, path: ['service'], shorthand: true }];
  return [];
}

export type SharedKey = 'cpu' | 'memory' | 'arch' | 'env' | 'secrets' | 'build' | 'image' | 'registryCredentials' | 'permissions' | 'managedPolicies' | 'readonlyRootFilesystem';

/** The value of a key a service may inherit, and the path it was written at (the service's, else the top level's). */
export function inherited<K extends SharedKey>(sections: Sections, entry: ServiceEntry, key: K): { value: RawService[K] | undefined; path: PropertyKey[] } {
  if (entry.raw[key] !== undefined) return { value: entry.raw[key], path: [...entry.path, key] };
  return { value: sections[key] as RawService[K] | undefined, path: [key] };
}

export function serviceKind(entry: ServiceEntry): 'web' | 'worker' | 'job' {
  return entry.raw.kind ?? DEFAULTS.service.kind;
}

/** The app image as written: the shorthand's own build/image (else the top level's), or the top level's with `services:`. */
export function appImageSource(sections: Sections): { build?: RawService['build']; image?: string; path: PropertyKey[] } {
  const topLevel = sections.build !== undefined || sections.image !== undefined;
  if (!sections.services && sections.service && (sections.service.build !== undefined || sections.service.image !== undefined || !topLevel)) {
    return { build: sections.service.build, image: sections.service.image, path: ['service'] };
  }
  return { build: sections.build, image: sections.image, path: [] };
}

/** The registry credentials of a service's image: its own image's, else the app image's (the shorthand's or the top level's). */
export function registryCredentialsOf(sections: Sections, entry: ServiceEntry): { value: string | undefined; path: PropertyKey[] } {
  if (hasOwnImage(entry) || entry.raw.registryCredentials !== undefined) return { value: entry.raw.registryCredentials, path: [...entry.path, 'registryCredentials'] };
  return { value: sections.registryCredentials, path: ['registryCredentials'] };
}

/** Whether a service of a `services:` file has its own build or image. */
export function hasOwnImage(entry: ServiceEntry): boolean {
  return !entry.shorthand && (entry.raw.build !== undefined || entry.raw.image !== undefined);
}
