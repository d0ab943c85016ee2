/**
 * Building the image for the task's CPU and refusing one that would not start there. An image built
 * on an Apple-silicon laptop is arm64; Fargate x86_64 tasks then die with "exec format error" (or ECS
 * cannot pull it: "image Manifest does not contain descriptor matching platform"). berth builds for
 * linux/<service.arch> and checks the result before anything is pushed.
 */
import { appImageArch, LABEL_APP, LABEL_ENV } from '../../model/index.js';
import { archOfImage, buildImage, inspectImage, platformFor } from '../../build/index.js';
import type { Arch, ResolvedConfig } from '../../config/model.js';
import { OperationError, UsageError } from '../../errors.js';

/** Refuses an image whose architecture is not the task's (pure). */
export function checkImageArchitecture(image: string, reported: string, expected: Arch): void {
  const actual = archOfImage(reported);
  if (actual === expected) return;
  const platform = platformFor(expected);
  throw new OperationError(
    `image ${image} is built for ${reported || 'an unknown architecture'}, but the tasks run on ${expected} (${platform}); pushed as is, every task would stop with "exec format error" or fail to pull ("image Manifest does not contain descriptor matching platform")`,
    `rebuild it for the task: \`docker buildx build --platform ${platform} ...\` (needs QEMU/binfmt for a foreign CPU), or set service.arch: ${actual ?? reported} in berth.yml to run on ${actual ?? reported} tasks`,
  );
}

export interface BuiltForTask {
  /** The local tag. */
  localImage: string;
  id: string;
  architecture: string;
}

/** Builds berth.yml's image for linux/<service.arch> and checks the architecture; nothing is pushed. */
export async function buildForTask(config: Pick<ResolvedConfig, 'app' | 'env' | 'services' | 'image'>, localImage: string, onLine?: (line: string) => void): Promise<BuiltForTask> {
  const build = config.image.build;
  if (!build) throw new UsageError('service.build is not set, so there is nothing to build', 'set service.build in berth.yml, or pass --image with a pushed image');
  const built = await buildImage({
    build,
    platform: platformFor(appImageArch(config)),
    tags: [localImage],
    labels: { [LABEL_APP]: config.app, [LABEL_ENV]: config.env },
    ...(onLine ? { onLine } : {}),
  });
  return checkLocalImage(localImage, appImageArch(config), built.id);
}

/** Inspects a local image and checks its architecture against the task's. */
export async function checkLocalImage(localImage: string, arch: Arch, id?: string): Promise<BuiltForTask> {
  const info = await inspectImage(localImage);
  if (!info) throw new OperationError(`image ${localImage} is not on the local Docker engine`, 'build it first, or let berth deploy build it');
  checkImageArchitecture(localImage, info.architecture, arch);
  return { localImage, id: id ?? info.id, architecture: info.architecture };
}
