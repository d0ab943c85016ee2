import { describe, expect, it } from 'vitest';
import { chooseBuilder } from './builder.js';

describe('chooseBuilder', () => {
  it('uses BuildKit through buildx when the CLI has it', () => {
    expect(chooseBuilder({ clientVersion: '28.2.2', buildx: true })).toMatchObject({ buildkit: true, via: 'buildx' });
  });

  it('uses the built-in BuildKit of a CLI before 23.0 (Debian docker.io 20.10)', () => {
    expect(chooseBuilder({ clientVersion: '20.10.24+dfsg1', buildx: false, serverOs: 'linux' })).toMatchObject({ buildkit: true, via: 'built-in' });
  });

  it('falls back to the classic builder for a CLI from 23.0 without buildx, and says why', () => {
    expect(chooseBuilder({ clientVersion: '28.2.2', buildx: false, serverOs: 'linux' })).toEqual({ buildkit: false, reason: 'docker CLI 28.2.2 has no buildx component: the classic builder' });
  });

  it('lets the user\'s DOCKER_BUILDKIT decide', () => {
    expect(chooseBuilder({ clientVersion: '28.2.2', buildx: true, userSetting: '0' })).toMatchObject({ buildkit: false, via: 'env' });
    expect(chooseBuilder({ clientVersion: '28.2.2', buildx: false, userSetting: '1' })).toMatchObject({ buildkit: true, via: 'env' });
  });
});
