/**
 * Image building and inspection, shared by the local engine and AWS. Uses the docker CLI: it sends the
 * build context with .dockerignore applied and uses BuildKit when the engine has it, which the Engine
 * API alone does not.
 *
 *   buildImage({ build, platform, tags, onLine? }) -> { id, tags, outputTail }   (OperationError + BuildFailureFacts on failure)
 *   detectBuilder() -> BuilderSupport         BuildKit when the docker CLI can drive it (buildx, or a CLI before 23.0)
 *   buildArgv(request) -> string[]            the exact `docker build` argv (pure)
 *   buildAhead(spec) -> BuildAhead            a build started before its tags are known; adopt() or cancel() it
 *   inspectImage(ref) -> ImageInfo | undefined architecture, os, user, exposedPorts, id, digest, tags
 *   tagImage(source, target), removeImageTag(ref)
 *   platformFor(arch), hostPlatform(), hostArchitecture(), archOfImage(dockerArch)
 */
export { buildArgv, buildImage, type BuildFailureFacts, type BuildImageRequest, type BuiltImage } from './build-image.js';
export { buildAhead, buildsSame, cancelBuildsAhead, type BuildAhead, type BuildsAhead } from './build-ahead.js';
export { chooseBuilder, detectBuilder, type BuilderSupport } from './builder.js';
export { imageInfoFrom, inspectImage, removeImageTag, tagImage, type ImageInfo } from './inspect-image.js';
export { archOfImage, hostArchitecture, hostPlatform, platformFor } from './platform.js';
export { runDocker, type DockerRun } from './docker-cli.js';
