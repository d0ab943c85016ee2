/**
 * The images of a local release: the app image built once (or named with `image` / `--image`) and shared by every
 * service without its own, plus one per service with its own build or image. Each gets the release's tag
 * (`localReleaseImage`), so a rollback re-tags the images of an earlier release without building.
 */
import { createHash } from 'node:crypto';
import { buildImage, buildsSame, hostPlatform, inspectImage, removeImageTag, tagImage, type BuildAhead, type BuildsAhead } from '../../build/index.js';
import type { BuildSpec, ResolvedConfig } from '../../config/model.js';
import { OperationError } from '../../errors.js';
import { doctorImageTag, localImageRepository, localReleaseImage } from '../../model/index.js';
import type { Progress } from '../../terminal/progress.js';
import { engineImageTags, removeEngineImageTags, tagEngineImage, type Docker } from './engine.js';
import { existingImage, releaseImageSlots } from './release-slots.js';

/** One image of a release: `service` absent for the shared app image. */
export interface ReleaseImage {
  service?: string;
  tag: string;
  digest: string;
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

/** Builds one image of a release with its tags, or adopts the build started ahead for it and tags that. */
async function build(docker: Docker, config: ResolvedConfig, spec: BuildSpec, tags: string[], service: string | undefined, progress: Progress, ahead: BuildAhead | undefined, signal: AbortSignal | undefined): Promise<string> {
  const platform = hostPlatform();
  const step = progress.step(`Build ${spec.dockerfile.replace(`${config.dir}/`, '')}${service ? ` (${service})` : ''} for ${platform}`);
  const onLine = (line: string) => { if (/^Step \d+\/\d+/.test(line) || /^#\d+ \[/.test(line)) step.update(line.trim().slice(0, 100)); };
  try {
    let id: string;
    if (ahead && buildsSame(ahead, spec, platform)) {
      id = (await ahead.adopt(onLine)).id;
      for (const tag of tags) await tagEngineImage(docker, id, tag);
    } else {
      // No --label: the classic builder adds each as one more uncached layer step (about 0.3 s each), and a release label
      // would make every build of unchanged sources a new image. The release is in the tag; the containers carry the labels.
      id = (await buildImage({ build: spec, platform, tags, onLine, ...(signal ? { signal } : {}) })).id;
    }
    step.succeed(`${tags[0]} (${id.slice(7, 19)})`);
    return id;
  } catch (error) {
    step.fail(signal?.aborted ? 'stopped' : undefined);
    throw error;
  }
}

/** Builds (or tags) every image of a release. `--image` replaces the app image; `--tag` goes on the app image. */
export async function prepareReleaseImages(docker: Docker, config: ResolvedConfig, release: number, request: { image?: string; tag?: string; signal?: AbortSignal; buildsAhead?: BuildsAhead }, progress: Progress): Promise<ReleaseImage[]> {
  const images: ReleaseImage[] = [];
  for (const slot of releaseImageSlots(config)) {
    const tag = localReleaseImage(config.app, config.env, release, slot.service);
    const extraTag = slot.service ? undefined : request.tag;
    const source = existingImage(slot, request);
    const digest = source
      ? await tagExisting(source, tag, extraTag, progress, slot.service ? ` (${slot.service})` : '')
      : await build(docker, config, slot.build!, [tag, ...(extraTag ? [extraTag] : [])], slot.service, progress, request.buildsAhead?.get(slot.service ?? ''), request.signal);
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

/** The doctor's builds of the app (and of each service with its own image): build cache, gone with `destroy --purge`. */
export async function removeDoctorImages(config: Pick<ResolvedConfig, 'app' | 'services'>): Promise<void> {
  await removeImageTag(doctorImageTag(config.app));
  for (const service of config.services) if (service.ownImage) await removeImageTag(doctorImageTag(config.app, service.name));
}

/**
 * Removes every image tag of these releases (the app image and each service's own) that is still on the engine: one
 * Engine API call to list the app's tags, then one removal per tag still there, however many releases the record holds.
 */
export async function removeReleaseImages(docker: Docker, config: Pick<ResolvedConfig, 'app' | 'env' | 'services'>, releases: readonly number[]): Promise<void> {
  if (releases.length === 0) return;
  // Best effort, as a removal is: a deploy that succeeded does not fail because the engine would not list images.
  const present = new Set(await engineImageTags(docker, localImageRepository(config.app)).catch(() => []));
  const tags = releases.flatMap((release) => [localReleaseImage(config.app, config.env, release), ...config.services.filter((service) => service.ownImage).map((service) => localReleaseImage(config.app, config.env, release, service.name))]);
  await removeEngineImageTags(docker, tags.filter((tag) => present.has(tag)));
}
