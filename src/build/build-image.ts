/**
 * `docker build` for one platform with the Dockerfile, build args and target of berth.yml — the same
 * inputs for the local engine and AWS. Build args are public (they end up in the image); secrets never
 * enter a build.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildSpec } from '../config/model.js';
import { OperationError } from '../errors.js';
import { detectBuilder, type BuilderSupport } from './builder.js';
import { buildKitFeatures } from './dockerfile.js';
import { failedBuildLines, withoutQuotedInstruction } from './build-output.js';
import { runDocker } from './docker-cli.js';

export interface BuildImageRequest {
  build: BuildSpec;
  /** Docker platform, e.g. `linux/amd64` (see platformFor / hostPlatform). */
  platform: string;
  /** Tags to give the image, e.g. `berth-news-api:release-3`; none for a build whose tags are decided later (build-ahead.ts). */
  tags: string[];
  /** Each line of build output as it comes (for progress and failure evidence). */
  onLine?: (line: string) => void;
  /** Extra labels on the image, e.g. org.berth.app. */
  labels?: Record<string, string>;
  /** The builder to use; detected from the docker CLI when absent (BuildKit when it can). */
  builder?: BuilderSupport;
  /** Stops the build (Ctrl-C): it then fails with `the build was stopped`. */
  signal?: AbortSignal;
}

/** What a failed build leaves on its OperationError, for the doctor's table of known failures. */
export interface BuildFailureFacts {
  /** The last lines of build output. */
  buildOutput: string[];
  builder: { buildkit: boolean; dockerfileFeatures: string[] };
}

export interface BuiltImage {
  /** sha256:... image id. */
  id: string;
  tags: string[];
  /** The last lines of build output (for evidence when something later fails). */
  outputTail: string[];
}

/**
 * The argv of `docker build` for a request (pure; tests check it without an engine). BuildKit prints plain progress
 * lines. `iidFile`: where the CLI writes the image id (both builders), so an untagged build is found too.
 */
export function buildArgv(request: Omit<BuildImageRequest, 'onLine' | 'signal'> & { iidFile?: string }): string[] {
  const argv = ['build', '--force-rm', '--file', request.build.dockerfile, '--platform', request.platform];
  if (request.builder?.buildkit) argv.push('--progress=plain');
  for (const [name, value] of Object.entries(request.build.args)) argv.push('--build-arg', `${name}=${value}`);
  if (request.build.target) argv.push('--target', request.build.target);
  for (const [name, value] of Object.entries(request.labels ?? {})) argv.push('--label', `${name}=${value}`);
  for (const tag of request.tags) argv.push('--tag', tag);
  if (request.iidFile) argv.push('--iidfile', request.iidFile);
  argv.push(request.build.context);
  return argv;
}

/** The docker CLI's notice that the classic builder is deprecated: noise in a failure report. */
const LEGACY_BUILDER_NOTICE = /^(DEPRECATED: The legacy builder|\s+Install the buildx component|\s+BuildKit is currently disabled|\s+environment-variable|\s+https:\/\/docs\.docker\.com\/go\/buildx)/;

/** Builds the image; throws OperationError with the last output lines (and BuildFailureFacts) when the build fails. */
export async function buildImage(request: BuildImageRequest): Promise<BuiltImage> {
  const tail: string[] = [];
  const keep = (raw: string) => {
    const line = withoutQuotedInstruction(raw);
    tail.push(line);
    if (tail.length > 40) tail.shift();
    request.onLine?.(line);
  };
  const builder = request.builder ?? (await detectBuilder());
  const scratch = await mkdtemp(join(tmpdir(), 'berth-build-'));
  try {
    const iidFile = join(scratch, 'iid');
    const run = await runDocker(buildArgv({ ...request, builder, iidFile }), { onLine: keep, env: { DOCKER_BUILDKIT: builder.buildkit ? '1' : '0' }, ...(request.signal ? { signal: request.signal } : {}) });
    if (request.signal?.aborted) throw new OperationError(`the build of ${request.build.dockerfile} was stopped`);
    if (run.code !== 0) throw await buildFailure(request, builder, tail);
    return { id: (await readFile(iidFile, 'utf8')).trim(), tags: [...request.tags], outputTail: tail };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function buildFailure(request: BuildImageRequest, builder: BuilderSupport, tail: readonly string[]): Promise<OperationError> {
  const last = failedBuildLines(tail.filter((line) => line.trim() && !LEGACY_BUILDER_NOTICE.test(line)).slice(-15));
  const dockerfile = await readFile(request.build.dockerfile, 'utf8').catch(() => '');
  // The cause (network, syntax, missing file, BuildKit) is the doctor's to name: the target asks it (src/doctor/build-failure.ts).
  const error = new OperationError(
    `docker build failed for ${request.build.dockerfile}:\n${last.map((line) => `  ${line}`).join('\n')}`,
    'the failing step is shown above; `docker build` shows the same error',
  );
  const facts: BuildFailureFacts = { buildOutput: last, builder: { buildkit: builder.buildkit, dockerfileFeatures: buildKitFeatures(dockerfile).map(({ feature, line }) => `${feature} (line ${line})`) } };
  return Object.assign(error, facts);
}
