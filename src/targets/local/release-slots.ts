/**
 * Which images a local release needs (the shared app image, each service's own) and where each comes from, plus the
 * builds a deploy starts before it needs them. Light on purpose: the CLI loads it before the target's modules (and
 * dockerode) so the build starts as soon as berth.yml is read.
 */
import { buildAhead, detectBuilder, type BuildsAhead } from '../../build/index.js';
import type { BuildSpec, ResolvedConfig } from '../../config/model.js';

/** The images a release of this config needs: the shared one when a service uses it, and each service's own. */
export function releaseImageSlots(config: Pick<ResolvedConfig, 'services' | 'image'>): Array<{ service?: string; build?: BuildSpec; image?: string }> {
  const slots: Array<{ service?: string; build?: BuildSpec; image?: string }> = [];
  if (config.services.some((service) => !service.ownImage)) slots.push({ ...(config.image.build ? { build: config.image.build } : {}), ...(config.image.image ? { image: config.image.image } : {}) });
  for (const service of config.services) {
    if (service.ownImage) slots.push({ service: service.name, ...(service.build ? { build: service.build } : {}), ...(service.image ? { image: service.image } : {}) });
  }
  return slots;
}

/**
 * Starts asking the docker CLI which builder it has (two CLI runs, remembered for the process) while the deploy does
 * its first engine calls, when the release will build an image: the build then starts without that wait.
 */
export function warmUpBuilds(config: Pick<ResolvedConfig, 'services' | 'image'>, request: { image?: string }): void {
  if (releaseImageSlots(config).some((slot) => existingImage(slot, request) === undefined)) void detectBuilder();
}

/**
 * Starts building every image of the next release that is built (not named by `image:` or --image), untagged, as soon
 * as berth.yml is read: the deploy adopts each build once it holds the lock and knows its release number.
 */
export function startReleaseBuilds(config: Pick<ResolvedConfig, 'services' | 'image'>, request: { image?: string }): BuildsAhead {
  return new Map(releaseImageSlots(config).filter((slot) => slot.build && existingImage(slot, request) === undefined).map((slot) => [slot.service ?? '', buildAhead(slot.build!)]));
}

/** The image a slot of the release is tagged from (`--image` replaces the app image), or undefined when it is built. */
export function existingImage(slot: ReturnType<typeof releaseImageSlots>[number], request: { image?: string }): string | undefined {
  if (slot.service) return slot.build ? undefined : slot.image;
  return request.image ?? (slot.build ? undefined : slot.image);
}
