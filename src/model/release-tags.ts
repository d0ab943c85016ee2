/**
 * Image tags berth sets per release, the same words on both targets: `<env>-release-<n>` (release numbers are
 * per environment, so the environment is part of the tag: staging's release 4 and prod's release 4 never share one),
 * `sha-<git short sha>` for the commit, plus any --tag the user asks for.
 */

export function releaseTag(env: string, release: number): string {
  return `${env}-release-${release}`;
}

export function gitShaTag(sha: string): string {
  return `sha-${sha}`;
}

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

const RESERVED_TAG = /^([a-z][a-z0-9-]*-)?release-\d+$|^sha-[0-9a-f]+$/;

/** Tags a user may not pass with --tag because berth sets them. */
export function isReservedTag(tag: string): boolean {
  return RESERVED_TAG.test(tag);
}

/** The release number in a tag berth set, or undefined. */
export function releaseOfTag(tag: string, env: string): number | undefined {
  const match = new RegExp(`^${env.replace(/[-]/g, '\\-')}-release-(\\d+)$`).exec(tag);
  return match ? Number(match[1]) : undefined;
}
