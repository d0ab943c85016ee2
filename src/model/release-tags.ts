/**
 * Image tags berth sets per release, the same words on both targets: `<env>-release-<n>` (release numbers are
 * per environment, so the environment is part of the tag: staging's release 4 and prod's release 4 never share one),
 * `sha-<git short sha>` for the commit, plus any --tag the user asks for.
 *
 * On AWS a build is pushed as `<env>-candidate` (moved by every push) and gets its release tag only once the release
 * is recorded, so a release tag always names a recorded release: ECR refuses to move release tags (tag immutability),
 * and a deploy that stopped between push and record leaves no tag a later release would collide with.
 */

export function releaseTag(env: string, release: number): string {
  return `${env}-release-${release}`;
}

export function gitShaTag(sha: string): string {
  return `sha-${sha}`;
}

/** The tag a build is pushed with before its release is recorded; every push of the environment moves it. */
export function candidateTag(env: string): string {
  return `${env}-candidate`;
}

/**
 * The tag that keeps a deployed release's image: `<env>-keep-<release mod keepReleases>`, moved to each release once
 * it is deployed. The images carrying keep tags are exactly those of each environment's last `keepReleases`
 * deployed releases, whatever their push time (a rollback to an old image included): lifecycle rules never expire them.
 */
export function keepTag(env: string, release: number, keepReleases: number): string {
  return `${env}-keep-${release % Math.max(1, keepReleases)}`;
}

/** ECR wildcard pattern of every keep tag. */
export const KEEP_TAG_PATTERN = '*-keep-*';

/** ECR wildcard patterns of the tags berth moves: tag immutability excludes them. */
export const MOVABLE_TAG_PATTERNS = ['sha-*', '*-candidate', KEEP_TAG_PATTERN] as const;

/** The tag prefixes berth manages (ECR lifecycle rules keep these per environment). */
export function releaseTagPrefix(env: string): string {
  return `${env}-release-`;
}

/**
 * The ECR wildcard pattern of an environment's release tags (`prod-release-*`), or of every environment a template
 * makes (`pr-*` gives `pr-*-release-*`). Lifecycle rules and tag immutability read it.
 */
export function releaseTagPattern(envOrTemplatePattern: string): string {
  return `${releaseTagPrefix(envOrTemplatePattern)}*`;
}

/** The ECR wildcard pattern of every release tag of every environment: what tag immutability covers. */
export const ANY_RELEASE_TAG_PATTERN = '*-release-*';

const RESERVED_TAG = /^([a-z][a-z0-9-]*-)?release-\d+$|^sha-[0-9a-f]+$|^[a-z][a-z0-9-]*-candidate$|^[a-z][a-z0-9-]*-keep-\d+$/;

/** Tags a user may not pass with --tag because berth sets them. */
export function isReservedTag(tag: string): boolean {
  return RESERVED_TAG.test(tag);
}

/** The release number in a tag berth set, or undefined. */
export function releaseOfTag(tag: string, env: string): number | undefined {
  const match = new RegExp(`^${env.replace(/[-]/g, '\\-')}-release-(\\d+)$`).exec(tag);
  return match ? Number(match[1]) : undefined;
}
