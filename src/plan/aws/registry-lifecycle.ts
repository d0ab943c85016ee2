/**
 * What the app's ECR repository keeps, as lifecycle rules (pure), and what those rules would expire: ECR's own
 * evaluation order written down, so the policy can be tested against a repository's images without AWS.
 *
 * ECR's rules (Amazon ECR user guide, "Lifecycle policy evaluation rules"): rules run by ascending priority; an
 * image that matches the tagging requirements of a rule can never be expired by a rule of lower priority (which
 * still counts it); `imageCountMoreThan` keeps the newest images by push time; an image is expired by at most one rule.
 */
import type { RegistryRetention } from '../../config/model.js';
import { KEEP_TAG_PATTERN } from '../../model/index.js';
import { regexpLiteral } from '../../text/regexp-literal.js';

/** Days an image without any tag is kept: berth tags every image a release uses, so these are leftovers. */
export const UNTAGGED_EXPIRY_DAYS = 7;
/** Days an image carrying only tags berth moves (a candidate or a commit that never became a release) is kept. */
export const UNRELEASED_EXPIRY_DAYS = 30;
/**
 * The count of the keep rule: far above what keep tags can mark (keepReleases per environment, plus previews), so it
 * never expires a kept image; it exists so that no lower rule may expire one.
 */
export const KEPT_IMAGES_LIMIT = 1000;
/** Tags berth moves that do not name a release: images carrying nothing else expire after UNRELEASED_EXPIRY_DAYS. */
const UNRELEASED_TAG_PATTERNS = ['sha-*', '*-candidate'];

export interface LifecycleRule {
  rulePriority: number;
  description: string;
  selection: {
    tagStatus: 'tagged' | 'untagged';
    tagPatternList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countNumber: number;
    countUnit?: 'days';
  };
  action: { type: 'expire' };
}

export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

/**
 * First the keep rule: an image with a keep tag (one of an environment's last deployed releases, the live one
 * included) matches it, so no later rule can expire it. Then one rule per environment (production first, so an image
 * promoted from staging to prod is judged by prod's count) and per template pattern, which bounds the rest to each
 * environment's most recently pushed images; then images that never became a release, then untagged images.
 */
export function registryLifecyclePolicy(retention: readonly RegistryRetention[]): LifecyclePolicy {
  const rules: LifecycleRule[] = [{
    rulePriority: 1,
    description: 'never expire the images of each environment\'s last deployed releases (berth moves their keep tags)',
    selection: { tagStatus: 'tagged', tagPatternList: [KEEP_TAG_PATTERN], countType: 'imageCountMoreThan', countNumber: KEPT_IMAGES_LIMIT },
    action: { type: 'expire' },
  }];
  for (const entry of retention) {
    rules.push({
      rulePriority: rules.length + 1,
      description: `expire images of ${entry.environment} beyond its last ${entry.keepReleases} releases`,
      selection: { tagStatus: 'tagged', tagPatternList: [entry.tagPattern], countType: 'imageCountMoreThan', countNumber: entry.keepReleases },
      action: { type: 'expire' },
    });
  }
  for (const pattern of UNRELEASED_TAG_PATTERNS) {
    rules.push({
      rulePriority: rules.length + 1,
      description: `expire images tagged only ${pattern} (never released) after ${UNRELEASED_EXPIRY_DAYS} days`,
      selection: { tagStatus: 'tagged', tagPatternList: [pattern], countType: 'sinceImagePushed', countNumber: UNRELEASED_EXPIRY_DAYS, countUnit: 'days' },
      action: { type: 'expire' },
    });
  }
  rules.push({
    rulePriority: rules.length + 1,
    description: `expire untagged images after ${UNTAGGED_EXPIRY_DAYS} days (every image a release uses carries its release tag)`,
    selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: UNTAGGED_EXPIRY_DAYS, countUnit: 'days' },
    action: { type: 'expire' },
  });
  return { rules };
}

/** ECR's tag wildcard: `*` matches any run of characters (including none). */
export function tagMatches(pattern: string, tag: string): boolean {
  const expression = new RegExp(`^${pattern.split('*').map((part) => regexpLiteral(part)).join('.*')}$`);
  return expression.test(tag);
}

export interface RepositoryImage {
  digest: string;
  tags: string[];
  pushedAt: Date;
}

function selects(rule: LifecycleRule, image: RepositoryImage): boolean {
  if (rule.selection.tagStatus === 'untagged') return image.tags.length === 0;
  const patterns = rule.selection.tagPatternList ?? [];
  // Every pattern of the list must match one of the image's tags.
  return image.tags.length > 0 && patterns.every((pattern) => image.tags.some((tag) => tagMatches(pattern, tag)));
}

/** The digests ECR would expire from these images under the policy, at `now`. */
export function expiredImages(policy: LifecyclePolicy, images: readonly RepositoryImage[], now: Date): string[] {
  const claimed = new Set<string>();
  const expired = new Set<string>();
  for (const rule of [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const selected = images.filter((image) => selects(rule, image));
    let candidates: RepositoryImage[];
    if (rule.selection.countType === 'imageCountMoreThan') {
      candidates = [...selected].sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime()).slice(rule.selection.countNumber);
    } else {
      const limit = now.getTime() - rule.selection.countNumber * 86_400_000;
      candidates = selected.filter((image) => image.pushedAt.getTime() < limit);
    }
    for (const image of candidates) if (!claimed.has(image.digest)) expired.add(image.digest);
    for (const image of selected) claimed.add(image.digest);
  }
  return images.filter((image) => expired.has(image.digest)).map((image) => image.digest);
}
