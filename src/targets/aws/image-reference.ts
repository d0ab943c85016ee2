/** `--image`: an already-pushed image, pinned by digest (given, or looked up in ECR for a tag). */
import { BatchGetImageCommand, DescribeImagesCommand, PutImageCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { UsageError } from '../../errors.js';
import { parseImageByDigest } from '../../model/index.js';
import { awsCall, awsErrorName } from './aws-errors.js';
import type { ImageChoice } from './deploy-flow.js';

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** Splits `host/path:tag` (pure); undefined when there is no registry host or tag. */
export function splitTagged(reference: string): { host: string; repository: string; tag: string } | undefined {
  const match = /^([^/]+)\/(.+):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(reference.trim());
  if (!match) return undefined;
  return { host: match[1]!, repository: match[2]!, tag: match[3]! };
}

export async function resolveImageReference(ecr: ECRClient, reference: string): Promise<ImageChoice> {
  const byDigest = parseImageByDigest(reference);
  if (byDigest) return { image: `${byDigest.repository}@${byDigest.digest}`, digest: byDigest.digest };
  const tagged = splitTagged(reference);
  const ecrHost = tagged ? ECR_HOST.exec(tagged.host) : null;
  if (!tagged || !ecrHost) {
    throw new UsageError(`--image ${reference}: berth needs an image by digest (repository@sha256:...) or a tag in Amazon ECR (<account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag>)`, 'push the image first and pass it by digest, e.g. the output of `docker inspect --format "{{index .RepoDigests 0}}" IMAGE`');
  }
  try {
    const answer = await ecr.send(new DescribeImagesCommand({ registryId: ecrHost[1], repositoryName: tagged.repository, imageIds: [{ imageTag: tagged.tag }] }));
    const digest = answer.imageDetails?.[0]?.imageDigest;
    if (!digest) throw new UsageError(`--image ${reference}: ECR has no image with tag ${tagged.tag}`, 'check the tag with `berth releases` or in the ECR console');
    return { image: `${tagged.host}/${tagged.repository}@${digest}`, digest };
  } catch (error) {
    if (awsErrorName(error) === 'ImageNotFoundException' || awsErrorName(error) === 'RepositoryNotFoundException') {
      throw new UsageError(`--image ${reference}: not found in ECR (${awsErrorName(error)})`, 'push it first, or check the repository name and tag');
    }
    return awsCall(`looking up ${reference} (ecr:DescribeImages)`, () => Promise.reject(error));
  }
}

/**
 * Gives an image already in ECR another tag (release-<n> of a promotion or rollback) by re-putting its
 * manifest: no pull, no push. Returns false when the image is not in ECR (nothing to tag).
 */
export async function tagInEcr(ecr: ECRClient, image: string, tag: string): Promise<boolean> {
  const parsed = parseImageByDigest(image);
  const [host, ...path] = (parsed?.repository ?? '').split('/');
  const ecrHost = host ? ECR_HOST.exec(host) : null;
  if (!parsed || !ecrHost || path.length === 0) return false;
  const repositoryName = path.join('/');
  const found = await awsCall(`reading the manifest of ${image} (ecr:BatchGetImage)`, () => ecr.send(new BatchGetImageCommand({ registryId: ecrHost[1], repositoryName, imageIds: [{ imageDigest: parsed.digest }] })));
  const manifest = found.images?.[0];
  if (!manifest?.imageManifest) return false;
  try {
    await ecr.send(new PutImageCommand({ registryId: ecrHost[1], repositoryName, imageManifest: manifest.imageManifest, ...(manifest.imageManifestMediaType ? { imageManifestMediaType: manifest.imageManifestMediaType } : {}), imageTag: tag, imageDigest: parsed.digest }));
  } catch (error) {
    if (awsErrorName(error) !== 'ImageAlreadyExistsException') return awsCall(`tagging ${image} as ${tag} (ecr:PutImage)`, () => Promise.reject(error));
  }
  return true;
}
