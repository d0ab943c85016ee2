import { describe, expect, it } from 'vitest';
import { parseGithubRemote, parseGithubRepository } from './github-repository.js';

describe('GitHub repository', () => {
  it.each([
    ['https://github.com/acme/news-api.git', 'acme', 'news-api'],
    ['https://github.com/acme/news-api', 'acme', 'news-api'],
    ['https://x-access-token:abc@github.com/acme/news.api/', 'acme', 'news.api'],
    ['git@github.com:acme/news-api.git', 'acme', 'news-api'],
    ['ssh://git@github.com/Acme-Labs/api.git', 'Acme-Labs', 'api'],
    ['ssh://git@github.com:22/acme/api', 'acme', 'api'],
  ])('reads %s', (url, owner, repo) => {
    expect(parseGithubRemote(url)).toEqual({ owner, repo });
  });

  it.each(['https://gitlab.com/acme/api.git', 'git@bitbucket.org:acme/api.git', 'https://github.com/acme', '/srv/git/api.git', 'https://github.com/acme/api/tree/main'])('refuses %s', (url) => {
    expect(parseGithubRemote(url)).toBeUndefined();
  });

  it('reads ci.github as owner/repo only', () => {
    expect(parseGithubRepository('acme/news-api')).toEqual({ owner: 'acme', repo: 'news-api' });
    expect(parseGithubRepository('acme')).toBeUndefined();
    expect(parseGithubRepository('acme/news api')).toBeUndefined();
  });
});
