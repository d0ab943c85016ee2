import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { RegistryRetention } from '../../config/model.js';
import { candidateTag, gitShaTag, keepTag, releaseTag } from '../../model/index.js';
import { RegistryStack } from './registry.js';
import { expiredImages, registryLifecyclePolicy, tagMatches, type RepositoryImage } from './registry-lifecycle.js';

const RETENTION: RegistryRetention[] = [
  { environment: 'prod', tagPattern: 'prod-release-*', production: true, keepReleases: 10 },
  { environment: 'staging', tagPattern: 'staging-release-*', production: false, keepReleases: 10 },
  { environment: 'pr-*', tagPattern: 'pr-*-release-*', production: false, keepReleases: 3 },
];

describe('lifecycle policy', () => {
  it('keeps each environment\'s last releases, production first, then expires unreleased and untagged images', () => {
    expect(registryLifecyclePolicy(RETENTION)).toEqual({
      rules: [
        { rulePriority: 1, description: 'never expire the images of each environment\'s last deployed releases (berth moves their keep tags)', selection: { tagStatus: 'tagged', tagPatternList: ['*-keep-*'], countType: 'imageCountMoreThan', countNumber: 1000 }, action: { type: 'expire' } },
        { rulePriority: 2, description: 'expire images of prod beyond its last 10 releases', selection: { tagStatus: 'tagged', tagPatternList: ['prod-release-*'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
        { rulePriority: 3, description: 'expire images of staging beyond its last 10 releases', selection: { tagStatus: 'tagged', tagPatternList: ['staging-release-*'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
        { rulePriority: 4, description: 'expire images of pr-* beyond its last 3 releases', selection: { tagStatus: 'tagged', tagPatternList: ['pr-*-release-*'], countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } },
        { rulePriority: 5, description: 'expire images tagged only sha-* (never released) after 30 days', selection: { tagStatus: 'tagged', tagPatternList: ['sha-*'], countType: 'sinceImagePushed', countNumber: 30, countUnit: 'days' }, action: { type: 'expire' } },
        { rulePriority: 6, description: 'expire images tagged only *-candidate (never released) after 30 days', selection: { tagStatus: 'tagged', tagPatternList: ['*-candidate'], countType: 'sinceImagePushed', countNumber: 30, countUnit: 'days' }, action: { type: 'expire' } },
        { rulePriority: 7, description: 'expire untagged images after 7 days (every image a release uses carries its release tag)', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' }, action: { type: 'expire' } },
      ],
    });
  });

  it('matches tags the way ECR\'s wildcards do', () => {
    expect(tagMatches('prod-release-*', 'prod-release-12')).toBe(true);
    expect(tagMatches('prod-release-*', 'preprod-release-12')).toBe(false);
    expect(tagMatches('pr-*-release-*', 'pr-12-release-3')).toBe(true);
    expect(tagMatches('pr-*-release-*', 'prod-release-3')).toBe(false);
    expect(tagMatches('*-candidate', 'staging-candidate')).toBe(true);
  });
});

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T00:00:00Z');

function image(n: number, tags: string[], daysAgo: number): RepositoryImage {
  return { digest: `sha256:${String(n).padStart(64, '0')}`, tags, pushedAt: new Date(NOW.getTime() - daysAgo * DAY) };
}

describe('what the policy expires', () => {
  const policy = registryLifecyclePolicy(RETENTION);

  it('keeps the last 10 releases of staging and of prod however often each deploys', () => {
    const images = [
      ...Array.from({ length: 25 }, (_, i) => image(i + 1, [releaseTag('staging', i + 1)], 60 - i)),
      ...Array.from({ length: 12 }, (_, i) => image(100 + i, [releaseTag('prod', i + 1)], 40 - i)),
    ];
    const expired = new Set(expiredImages(policy, images, NOW));
    const kept = (env: string) => images.filter((candidate) => !expired.has(candidate.digest) && candidate.tags.some((tag) => tag.startsWith(`${env}-release-`))).map((candidate) => candidate.tags[0]);
    expect(kept('staging')).toEqual(Array.from({ length: 10 }, (_, i) => releaseTag('staging', 16 + i)));
    expect(kept('prod')).toEqual(Array.from({ length: 10 }, (_, i) => releaseTag('prod', 3 + i)));
  });

  it('never expires an image prod still runs because staging moved on: prod\'s rule judges it first', () => {
    // prod promoted staging's release 2 as its release 1 and has not deployed since; staging has 20 newer releases.
    const promoted = image(2, [releaseTag('staging', 2), releaseTag('prod', 1)], 50);
    const images = [image(1, [releaseTag('staging', 1)], 51), promoted, ...Array.from({ length: 20 }, (_, i) => image(10 + i, [releaseTag('staging', 3 + i)], 40 - i))];
    const expired = expiredImages(policy, images, NOW);
    expect(expired).not.toContain(promoted.digest);
    expect(expired).toContain(image(1, [], 0).digest);
  });

  it('never expires the live image of a rollback far back, though ten newer images were pushed after it', () => {
    // prod releases 1-11 each pushed a new image; release 12 rolled back to release 1's image and is live.
    const images = Array.from({ length: 11 }, (_, i) => image(i + 1, [releaseTag('prod', i + 1), ...(i + 1 >= 3 ? [keepTag('prod', i + 1, 10)] : [])], 30 - i));
    images[0]!.tags.push(releaseTag('prod', 12), keepTag('prod', 12, 10));
    expect(expiredImages(policy, images, NOW)).toEqual([]);
    expect(keepTag('prod', 12, 10)).toBe('prod-keep-2');
    // Without its keep tag prod's count (newest pushes first) would take it.
    const unkept = images.map((entry) => ({ ...entry, tags: entry.tags.filter((tag) => !tag.includes('-keep-')) }));
    expect(expiredImages(policy, unkept, NOW)).toEqual([image(1, [], 0).digest]);
  });

  it('expires untagged images after a week and builds that never became a release after 30 days, never a release image', () => {
    const images = [
      image(1, [], 8),
      image(2, [], 6),
      image(3, [gitShaTag('abc1234')], 31),
      image(4, [candidateTag('staging'), gitShaTag('def5678')], 2),
      image(5, [releaseTag('prod', 1), gitShaTag('0123abc')], 400),
    ];
    expect(expiredImages(policy, images, NOW)).toEqual([image(1, [], 0).digest, image(3, [], 0).digest]);
  });
});

describe('repository', () => {
  const app = new App();
  const template = Template.fromStack(new RegistryStack(app, { app: 'shop', retention: RETENTION }));

  it('scans on push, keeps release tags immutable (only sha-*, *-candidate and *-keep-* move), and survives destroy', () => {
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        RepositoryName: 'berth/shop',
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        ImageTagMutabilityExclusionFilters: [
          { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'sha-*' },
          { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: '*-candidate' },
          { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: '*-keep-*' },
        ],
        LifecyclePolicy: { LifecyclePolicyText: JSON.stringify(registryLifecyclePolicy(RETENTION)) },
      },
      DeletionPolicy: 'Retain',
    });
  });
});
