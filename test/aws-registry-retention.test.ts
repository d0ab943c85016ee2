/**
 * Two AWS environments sharing the app's ECR repository, deployed over months against mocked ECR and SSM (the real
 * release store and ECR tagging code, the real lifecycle policy of the berth.yml): staging builds, prod promotes
 * staging's images by digest and once rolls back. Release tags never collide or move (the fake ECR enforces tag
 * immutability as the repository is configured), and the lifecycle rules keep both environments' last 10 releases.
 */
import { BatchGetImageCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { candidateTag, gitShaTag, keepTag, MOVABLE_TAG_PATTERNS, releaseTag } from '../src/model/index.js';
import { expiredImages, registryLifecyclePolicy, tagMatches, type RepositoryImage } from '../src/plan/aws/registry-lifecycle.js';
import { tagInEcr } from '../src/targets/aws/image-reference.js';
import { ReleaseStore } from '../src/targets/aws/releases.js';
import { configFromYaml } from '../src/test-support/config-from-yaml.js';

const REPOSITORY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/shop';
const FILE = `
app: shop
region: us-east-1
service: { port: 8000, image: "${REPOSITORY}@sha256:${'0'.repeat(64)}" }
environments:
  staging: {}
  prod: {}
`;

/** An ECR repository in memory, with IMMUTABLE_WITH_EXCLUSION as berth configures it. */
class FakeRepository {
  readonly images = new Map<string, { tags: Set<string>; pushedAt: Date; manifest: string }>();
  refusals: string[] = [];
  private clock = new Date('2026-01-01T00:00:00Z').getTime();

  private mutable(tag: string): boolean {
    return MOVABLE_TAG_PATTERNS.some((pattern) => tagMatches(pattern, tag));
  }

  /** docker push: a new image with its tags (moving tags berth may move, refusing the rest). */
  push(n: number, tags: string[]): string {
    const digest = `sha256:${n.toString(16).padStart(64, '0')}`;
    this.clock += 3 * 86_400_000;
    this.images.set(digest, { tags: new Set(), pushedAt: new Date(this.clock), manifest: `{"layers":${n}}` });
    for (const tag of tags) this.tag(digest, tag);
    return digest;
  }

  tag(digest: string, tag: string): void {
    const holder = [...this.images].find(([, image]) => image.tags.has(tag));
    if (holder && holder[0] === digest) throw Object.assign(new Error('exists'), { name: 'ImageAlreadyExistsException' });
    if (holder && !this.mutable(tag)) {
      this.refusals.push(tag);
      throw Object.assign(new Error(`The image tag '${tag}' already exists and cannot be overwritten because the tag is immutable.`), { name: 'ImageTagAlreadyExistsException' });
    }
    holder?.[1].tags.delete(tag);
    this.images.get(digest)!.tags.add(tag);
  }

  list(): RepositoryImage[] {
    return [...this.images].map(([digest, image]) => ({ digest, tags: [...image.tags], pushedAt: image.pushedAt }));
  }
}

const repository = new FakeRepository();
const ecr = mockClient(ECRClient);
ecr.on(BatchGetImageCommand).callsFake((input: { imageIds: Array<{ imageDigest: string }> }) => {
  const digest = input.imageIds[0]!.imageDigest;
  const found = repository.images.get(digest);
  return { images: found ? [{ imageId: { imageDigest: digest }, imageManifest: found.manifest, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }] : [] };
});
ecr.on(PutImageCommand).callsFake((input: { imageDigest: string; imageTag: string }) => {
  repository.tag(input.imageDigest, input.imageTag);
  return { image: { imageId: { imageDigest: input.imageDigest, imageTag: input.imageTag } } };
});

const parameters = new Map<string, string>();
const ssm = mockClient(SSMClient);
ssm.on(GetParametersByPathCommand).callsFake((input: { Path: string; NextToken?: string; MaxResults?: number }) => {
  const names = [...parameters.keys()].filter((name) => name.startsWith(`${input.Path}/`)).sort();
  const start = Number(input.NextToken ?? 0);
  const page = names.slice(start, start + (input.MaxResults ?? 10));
  const next = start + page.length < names.length ? String(start + page.length) : undefined;
  return { Parameters: page.map((Name) => ({ Name, Value: parameters.get(Name) })), ...(next ? { NextToken: next } : {}) };
});
ssm.on(PutParameterCommand).callsFake((input: { Name: string; Value: string; Overwrite?: boolean }) => {
  if (!input.Overwrite && parameters.has(input.Name)) throw Object.assign(new Error('exists'), { name: 'ParameterAlreadyExists' });
  parameters.set(input.Name, input.Value);
  return { Version: 1 };
});
afterAll(() => { ecr.restore(); ssm.restore(); });

const client = { ecr: new ECRClient({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }) };
const stores = { staging: new ReleaseStore(client.ssm, 'shop', 'staging'), prod: new ReleaseStore(client.ssm, 'shop', 'prod') };

/** What berth's deploy does with an image: record the release, give the image its release tag, and once deployed its keep tag. */
async function release(env: 'staging' | 'prod', digest: string, rollbackOf?: number): Promise<number> {
  const image = `${REPOSITORY}@${digest}`;
  const recorded = await stores[env].create({ image, digest, createdAt: new Date().toISOString(), createdBy: 'ci', status: 'deployed', ...(rollbackOf ? { rollbackOf } : {}) });
  expect(await tagInEcr(client.ecr, image, releaseTag(env, recorded.number))).toBe(true);
  expect(await tagInEcr(client.ecr, image, keepTag(env, recorded.number, 10))).toBe(true);
  return recorded.number;
}

describe('staging and prod sharing one repository', () => {
  it('never share or move a release tag, and the lifecycle policy keeps both environments\' last 10 releases', async () => {
    let build = 0;
    for (let week = 1; week <= 16; week += 1) {
      // staging builds twice a week (pushed as staging-candidate + sha), prod promotes the second build.
      for (const _ of [1, 2]) {
        build += 1;
        const digest = repository.push(build, [candidateTag('staging'), gitShaTag(build.toString(16).padStart(7, '0'))]);
        await release('staging', digest);
      }
      const staging = await stores.staging.list();
      await release('prod', staging.at(-1)!.digest);
      if (week === 13) {
        // A bad week: prod rolls back to its release 1's image (pushed months ago, ten newer images since), as release 14.
        const prod = await stores.prod.list();
        await release('prod', prod.find((entry) => entry.number === 1)!.digest, 1);
      }
    }
    // A deploy that stopped between push and record left only the candidate tag: nothing to collide with later.
    repository.push(999, [candidateTag('staging')]);
    await release('staging', repository.push(1000, [candidateTag('staging')]));

    expect(repository.refusals).toEqual([]);
    const history = { staging: await stores.staging.list(), prod: await stores.prod.list() };
    expect(history.staging).toHaveLength(33);
    expect(history.prod).toHaveLength(17);
    const tagsOf = (env: string) => repository.list().flatMap((image) => image.tags.filter((tag) => tag.includes('-release-')).map((tag) => [tag, env] as const)).filter(([tag]) => tag.startsWith(`${env}-`));
    // Each release tag names exactly its recorded release's image, in its own environment only.
    for (const env of ['staging', 'prod'] as const) {
      for (const entry of history[env]) {
        const holders = repository.list().filter((image) => image.tags.includes(releaseTag(env, entry.number)));
        expect(holders.map((image) => image.digest)).toEqual([entry.digest]);
      }
    }
    const stagingTags = new Set(tagsOf('staging').map(([tag]) => tag));
    expect(tagsOf('prod').filter(([tag]) => stagingTags.has(tag))).toEqual([]);

    const config = configFromYaml(FILE, 'staging');
    const expired = new Set(expiredImages(registryLifecyclePolicy(config.registry.retention), repository.list(), new Date('2026-06-01T00:00:00Z')));
    for (const env of ['staging', 'prod'] as const) {
      const lastTen = history[env].slice(-10);
      expect(lastTen.filter((entry) => expired.has(entry.digest)).map((entry) => entry.number)).toEqual([]);
    }
    // The rollback to prod's release 1 (release 14) kept its months-old image.
    expect(history.prod.find((entry) => entry.rollbackOf === 1)).toMatchObject({ number: 14, digest: history.prod[0]!.digest });
    expect(expired.has(history.prod[0]!.digest)).toBe(false);
    // Older releases that no environment can roll back to do go: the repository is bounded (staging's first builds that prod never took).
    const neverPromoted = history.staging.slice(0, 10).filter((entry) => !history.prod.some((prod) => prod.digest === entry.digest));
    expect(neverPromoted.map((entry) => entry.number)).toEqual([1, 3, 5, 7, 9]);
    expect(neverPromoted.every((entry) => expired.has(entry.digest))).toBe(true);
    // The unrecorded push (candidate tag moved away, no tag left) is untagged and expires.
    expect(expired.has(`sha256:${(999).toString(16).padStart(64, '0')}`)).toBe(true);
  });
});
