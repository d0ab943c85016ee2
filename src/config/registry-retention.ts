/**
 * What the app's one ECR repository keeps of each AWS environment. The registry stack is shared by all
 * environments, so its lifecycle policy must not depend on which environment deploys it: this reads the whole file.
 */
import { releaseTagPattern } from '../model/release-tags.js';
import { DEFAULT_ENV, DEFAULTS } from './defaults.js';
import { environmentTemplates, isTemplateName } from './environment-templates.js';
import { mergeEnvironment } from './merge-environment.js';
import type { RegistryRetention } from './model.js';
import { isProductionEnv } from './resolve.js';
import type { BerthFile } from './schema.js';

/** Production environments first (their rules judge a shared image first), then the others, then templates, each in file order. */
export function registryRetention(data: BerthFile): RegistryRetention[] {
  const declared: RegistryRetention[] = [];
  for (const env of Object.keys(data.environments ?? {})) {
    if (env === DEFAULT_ENV || isTemplateName(data, env)) continue;
    const sections = mergeEnvironment(data, env);
    declared.push({
      environment: env,
      tagPattern: releaseTagPattern(env),
      production: isProductionEnv(env, sections.production),
      keepReleases: sections.registry?.keepReleases ?? DEFAULTS.registry.keepReleases,
    });
  }
  const templates: RegistryRetention[] = environmentTemplates(data).map((template) => {
    const sections = mergeEnvironment(data, template.name);
    return {
      environment: template.pattern,
      tagPattern: releaseTagPattern(template.pattern),
      production: sections.production ?? false,
      keepReleases: sections.registry?.keepReleases ?? DEFAULTS.registry.keepReleases,
    };
  });
  return [...declared.filter((entry) => entry.production), ...declared.filter((entry) => !entry.production), ...templates];
}
