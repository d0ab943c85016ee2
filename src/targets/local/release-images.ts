/**
 * The images of a local release: the app image built once (or named with `image` / `--image`) and shared by every
 * service without its own, plus one per service with its own build or image. Each gets the release's tag
 * (`localReleaseImage`), so a rollback re-tags the images of an earlier release without building.
 */
import { createHash } from 'node:crypto';
import { buildImage, detectBuilder, hostPlatform, inspectImage, removeImageTag, tagImage } from '../../build/index.js';
import type { BuildSpec, ResolvedConfig } from '../../config/model.js';
import { OperationError } from '../../errors.js';
import { doctorImageTag, localReleaseImage } from '../../model/index.js';
import type { Progress } from '../../terminal/progress.js';

/** One image of a release: `service` absent for the shared app image. */
export interface ReleaseImage {
  service?: string;
  tag: string;
  digest: string;
}

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

/** The image a slot of the release is tagged from (`--image` replaces the app image), or undefined when it is built. */
function existingImage(slot: ReturnType<typeof releaseImageSlots>[number], request: { image?: string }): string | undefined {
  if (slot.service) return slot.build ? undefined : slot.image;
  return request.image ?? (slot.build ? undefined : slot.image);
}

/** The release's `digest`: the app image's alone, or one digest over every image of the release. */
export function releaseDigest(images: readonly ReleaseImage[]): string {
  if (images.length === 1) return images[0]!.digest;
  const hash = createHash('sha256');
  for (const image of [...images].sort((a, b) => (a.service ?? '').localeCompare(b.service ?? ''))) hash.update(`${image.service ?? ''}=${image.digest}\n`);
  return `sha256:${hash.digest('hex')}`;
}

async function tagExisting(source: string, tag: string, extraTag: string | undefined, progress: Progress, what: string): Promise<string> {
  const step = progress.step(`Image ${source}${what}`);
  const info = await inspectImage(source);
  if (!info) {
    step.fail('not on this engine');
    throw new OperationError(`image ${source} is not on the local engine`, `build or pull it first (\`docker pull ${source}\`), or deploy without --image to build from berth.yml`);
  }
  await tagImage(source, tag);
  if (extraTag) await tagImage(source, extraTag);
  step.succeed(tag);
  return info.digest ?? info.id;
}

async function build(config: ResolvedConfig, spec: BuildSpec, tags: string[], service: string | undefined, progress: Progress): Promise<string> {
  const platform = hostPlatform();
  const step = progress.step(`Build ${spec.dockerfile.replace(`${config.dir}/`, '')}${service ? ` (${service})` : ''} for ${platform}`);
  try {
    // No --label: the classic builder adds each as one more uncached layer step (about 0.3 s each), and a release label
    // would make every build of unchanged sources a new image. The release is in the tag; the containers carry the labels.
    const built = await buildImage({ build: spec, platform, tags, onLine: (line) => { if (/^Step \d+\/\d+/.test(line) || /^#\d+ \[/.test(line)) step.update(line.trim().slice(0, 100)); } });
    step.succeed(`${tags[0]} (${built.id.slice(7, 19)})`);
    return built.id;
  } catch (error) {
    step.fail();
    throw error;
  }
}

/** Builds (or tags) every image of a release. `--image` replaces the app image; `--tag` goes on the app image. */
export async function prepareReleaseImages(config: ResolvedConfig, release: number, request: { image?: string; tag?: string }, progress: Progress): Promise<ReleaseImage[]> {
  const images: ReleaseImage[] = [];
  for (const slot of releaseImageSlots(config)) {
    const tag = localReleaseImage(config.app, config.env, release, slot.service);
    const extraTag = slot.service ? undefined : request.tag;
    const source = existingImage(slot, request);
    const digest = source
      ? await tagExisting(source, tag, extraTag, progress, slot.service ? ` (${slot.service})` : '')
      : await build(config, slot.build!, [tag, ...(extraTag ? [extraTag] : [])], slot.service, progress);
    images.push({ ...(slot.service ? { service: slot.service } : {}), tag, digest });
  }
  return images;
}

/**
 * Gives the images of release `from` the tags of release `to` (a rollback); names a service whose image is gone.
 * `slots`: the images the restored release recorded (its plan's `images`); default: today's berth.yml's.
 */
export async function retagRelease(config: ResolvedConfig, from: number, to: number, slots: ReadonlyArray<{ service?: string }> = releaseImageSlots(config)): Promise<ReleaseImage[]> {
  const images: ReleaseImage[] = [];
  for (const slot of slots) {
    const source = localReleaseImage(config.app, config.env, from, slot.service);
    const info = await inspectImage(source);
    if (!info) {
      throw new OperationError(
        `the ${slot.service ? `image of service ${slot.service}` : 'app image'} of release ${from} (${source}) is not on this engine${slot.service ? ' (was the service added after that release?)' : ''}`,
        'deploy again instead, or pick another release (`berth releases`)',
      );
    }
    const tag = localReleaseImage(config.app, config.env, to, slot.service);
    await tagImage(source, tag);
    images.push({ ...(slot.service ? { service: slot.service } : {}), tag, digest: info.digest ?? info.id });
  }
  return images;
}

/** Removes every image tag of one release (the app image and each service's own). */
/** The doctor's builds of the app (and of each service with its own image): build cache, gone with `destroy --purge`. */
export async function removeDoctorImages(config: Pick<ResolvedConfig, 'app' | 'services'>): Promise<void> {
  await removeImageTag(doctorImageTag(config.app));
  for (const service of config.services) if (service.ownImage) await removeImageTag(doctorImageTag(config.app, service.name));
}

export async function removeReleaseImages(config: Pick<ResolvedConfig, 'app' | 'env' | 'services'>, release: number): Promise<void> {
  await removeImageTag(localReleaseImage(config.app, config.env, release));
  for (const service of config.services) if (service.ownImage) await removeImageTag(localReleaseImage(config.app, config.env, release, service.name));
}
