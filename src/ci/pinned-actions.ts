/**
 * The GitHub Actions berth's workflows use, each pinned by full commit SHA (a tag can be moved; a commit cannot),
 * with the release it is and where the SHA was checked. berth cannot reach GitHub when it generates a workflow,
 * so the table is data: each SHA was confirmed in public workflow files that pin it with the same version comment
 * (searched in a stored corpus of public GitHub repositories; several independent files per SHA agree).
 * To update: take the commit of the new release tag from the action's releases page, check it, change one row.
 */

export interface PinnedAction {
  /** owner/name as in `uses:`. */
  action: string;
  /** 40 hex digits. */
  sha: string;
  /** The release tag this commit is, written as the `# vX.Y.Z` comment beside `uses:`. */
  version: string;
  /** Where the SHA-to-version pairing was confirmed. */
  source: string;
}

export const PINNED_ACTIONS = {
  checkout: {
    action: 'actions/checkout',
    sha: '11bd71901bbe5b1630ceea73d27597364c9af683',
    version: 'v4.2.2',
    source: 'public workflows and security guides pinning "actions/checkout@11bd7190… # v4.2.2" (10 files in the corpus, e.g. a supply-chain guide that pins it beside configure-aws-credentials v4.0.2)',
  },
  setupNode: {
    action: 'actions/setup-node',
    sha: '39370e3970a6d050c480ffad4ff0ed4d3fdee5af',
    version: 'v4.1.0',
    source: 'public workflows pinning "actions/setup-node@39370e39… # v4.1.0" next to checkout v4.2.2 (10 files in the corpus)',
  },
  configureAwsCredentials: {
    action: 'aws-actions/configure-aws-credentials',
    sha: 'e3dd6a429d7300a6a4c196c26e071d42e0343502',
    version: 'v4.0.2',
    source: 'public deploy workflows pinning "aws-actions/configure-aws-credentials@e3dd6a42… # v4.0.2" with role-to-assume (10 files in the corpus)',
  },
  githubScript: {
    action: 'actions/github-script',
    sha: '60a0d83039c74a4aee543508d2ffcb1c3799cdea',
    version: 'v7.0.1',
    source: 'public workflows and pin maps giving "actions/github-script@60a0d830… # v7.0.1" (10 files in the corpus)',
  },
} as const satisfies Record<string, PinnedAction>;

export type PinnedActionKey = keyof typeof PINNED_ACTIONS;

/** The `uses:` value of a pinned action: `owner/name@<sha>`. */
export function uses(key: PinnedActionKey): string {
  const pinned = PINNED_ACTIONS[key];
  return `${pinned.action}@${pinned.sha}`;
}

/** The version comment for a `uses:` value, or undefined when it is not one of the pinned actions. */
export function pinnedVersion(usesValue: string): string | undefined {
  return Object.values(PINNED_ACTIONS).find((pinned) => usesValue === `${pinned.action}@${pinned.sha}`)?.version;
}
