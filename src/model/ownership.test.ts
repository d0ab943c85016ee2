import { describe, expect, it } from 'vitest';
import { otherOwner, ownedElsewhereMessage } from './ownership.js';

const A = '/home/ana/shop/app/berth.yml';
const B = '/home/ana/blog/app/berth.yml';

describe('who owns a local environment', () => {
  it('is nobody else when nothing runs and nothing is recorded', () => {
    expect(otherOwner(A, undefined, [])).toBeUndefined();
  });

  it('is the recorded project, whatever the labels say (a take-over leaves older labels behind)', () => {
    expect(otherOwner(A, { project: B, since: '2026-11-30T00:00:00Z' }, [A, A])).toBe(B);
    expect(otherOwner(A, { project: A, since: '2026-11-30T00:00:00Z' }, [B])).toBeUndefined();
  });

  it('without a record (another state folder), is the project on the labels of what runs', () => {
    expect(otherOwner(A, undefined, [A, B])).toBe(B);
    expect(otherOwner(A, undefined, [A, A])).toBeUndefined();
  });

  it('ignores containers an older berth made without a project label', () => {
    expect(otherOwner(A, undefined, [undefined, undefined])).toBeUndefined();
  });

  it('names the owner, and both ways out', () => {
    const { message, hint } = ownedElsewhereMessage('app', 'local', B);
    expect(message).toBe(`app "app" (local) belongs to ${B}`);
    expect(hint).toContain('choose another app name');
    expect(hint).toContain(`berth destroy --config ${B}`);
    expect(hint).toContain('--take-over');
  });
});
