/** Which GitHub repository a workflow runs in: `ci.github` in berth.yml, or the origin remote's URL. */
import { GITHUB_REPOSITORY_PATTERN } from '../config/ci-schema.js';

export interface GithubRepository {
  owner: string;
  repo: string;
}

/**
 * owner/repo from a git remote URL on github.com (pure): https://github.com/o/r(.git), ssh://git@github.com/o/r.git,
 * git@github.com:o/r.git. Undefined for other hosts and shapes.
 */
export function parseGithubRemote(url: string): GithubRepository | undefined {
  const text = url.trim();
  const match = /^(?:https?:\/\/(?:[^@/]+@)?github\.com\/|ssh:\/\/git@github\.com(?::\d+)?\/|git@github\.com:)([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(text);
  if (!match) return undefined;
  return parseGithubRepository(`${match[1]}/${match[2]}`);
}

/** owner/repo as written in berth.yml's ci.github (pure). */
export function parseGithubRepository(text: string): GithubRepository | undefined {
  if (!GITHUB_REPOSITORY_PATTERN.test(text)) return undefined;
  const [owner, repo] = text.split('/') as [string, string];
  return { owner, repo };
}

export function repositoryLabel(repository: GithubRepository): string {
  return `${repository.owner}/${repository.repo}`;
}
