import { describe, expect, it } from 'vitest';
import { splitImageReference } from './engine.js';

describe('splitImageReference', () => {
  it('splits at the tag colon, not at a registry port; no tag means latest', () => {
    expect(splitImageReference('berth-news-api:local-release-3')).toEqual({ repo: 'berth-news-api', tag: 'local-release-3' });
    expect(splitImageReference('localhost:5000/team/app:v1.2')).toEqual({ repo: 'localhost:5000/team/app', tag: 'v1.2' });
    expect(splitImageReference('localhost:5000/team/app')).toEqual({ repo: 'localhost:5000/team/app', tag: 'latest' });
    expect(splitImageReference('app')).toEqual({ repo: 'app', tag: 'latest' });
  });
});
