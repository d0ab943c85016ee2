import { describe, expect, it } from 'vitest';
import { regexpLiteral } from './regexp-literal.js';

describe('regexpLiteral', () => {
  it('matches the text itself, special characters included, and nothing looser', () => {
    const text = 'berth/app+1/(prod)[x].*?^${a}|b\\c';
    expect(new RegExp(`^${regexpLiteral(text)}$`).test(text)).toBe(true);
    expect(new RegExp(`^${regexpLiteral('a.b')}$`).test('axb')).toBe(false);
  });
});
