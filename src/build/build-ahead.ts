/**
 * A build started before the deploy needs it. A local deploy spends about a third of a second after reading
 * berth.yml on loading the target's modules, taking the lock and asking the engine what runs; the image does not
 * depend on any of it, so the build starts at once, untagged, and the deploy adopts it when its release number is
 * known (it tags the image then). Nothing is lost when the deploy stops first: `cancel()` stops the build, and an
 * untagged image is only build cache.
 */
import type { BuildSpec } from '../config/model.js';
import { buildImage, type BuiltImage } from './build-image.js';
import { hostPlatform } from './platform.js';

/** Output lines replayed to the deploy that adopts a build (it shows only the latest step). */
const REPLAYED_LINES = 20;

export interface BuildAhead {
  readonly spec: BuildSpec;
  readonly platform: string;
  /**
   * The built image (or buildImage's error). `onLine` first gets the last lines printed so far, then each new one.
   */
  adopt(onLine: (line: string) => void): Promise<BuiltImage>;
  /** Stops the build when it still runs (Ctrl-C, or a deploy that stops before it needs the image). */
  cancel(): void;
}

/** Starts `docker build` of `spec` for `platform` (this machine's by default), untagged. */
export function buildAhead(spec: BuildSpec, platform: string = hostPlatform()): BuildAhead {
  const controller = new AbortController();
  const seen: string[] = [];
  let follower: ((line: string) => void) | undefined;
  const running = buildImage({
    build: spec,
    platform,
    tags: [],
    signal: controller.signal,
    onLine: (line) => {
      if (follower) follower(line);
      else if (seen.push(line) > REPLAYED_LINES) seen.shift();
    },
  });
  // A build nobody adopts (the deploy stopped first) must not fail the process as an unhandled rejection.
  running.catch(() => undefined);
  return {
    spec,
    platform,
    adopt(onLine) {
      for (const line of seen.splice(0)) onLine(line);
      follower = onLine;
      return running;
    },
    cancel() {
      controller.abort();
    },
  };
}

/** The builds a deploy started ahead, by image slot: `''` for the shared app image, else the service's name. */
export type BuildsAhead = ReadonlyMap<string, BuildAhead>;

/** Stops every build started ahead that still runs. */
export function cancelBuildsAhead(builds: BuildsAhead | undefined): void {
  for (const build of builds?.values() ?? []) build.cancel();
}

/** Whether a build started ahead is the one a release needs now (same Dockerfile, context, args, target, platform). */
export function buildsSame(ahead: BuildAhead, spec: BuildSpec, platform: string): boolean {
  return ahead.platform === platform && JSON.stringify(ahead.spec) === JSON.stringify(spec);
}
