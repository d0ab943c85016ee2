import { describe, expect, it } from 'vitest';
import { interpolate, parseDotEnv } from './variables.js';

const vars = new Map([['USER', 'app'], ['EMPTY', ''], ['PORT', '8000']]);

describe('interpolate', () => {
  it.each([
    ['${USER}', 'app', [], ['USER']],
    ['$USER-x', 'app-x', [], ['USER']],
    ['$$HOME and $${USER}', '$HOME and ${USER}', [], []],
    ['${MISSING}', '', ['MISSING'], []],
    ['${MISSING:-fallback}', 'fallback', [], []],
    ['${EMPTY:-fallback}', 'fallback', [], []],
    ['${EMPTY-fallback}', '', [], ['EMPTY']],
    ['${MISSING-${PORT}}', '8000', [], ['PORT']],
    ['${MISSING:-${ALSO_MISSING}}', '', ['ALSO_MISSING'], []],
    ['${SECRET_KEY?Variable not set}', '', ['SECRET_KEY'], []],
    ['${EMPTY:?must be set}', '', ['EMPTY'], []],
    ['${USER:+set}${MISSING:+never}', 'set', [], []],
    ['http://${HOST:-localhost}:${PORT}/x', 'http://localhost:8000/x', [], ['PORT']],
    ['price: $5', 'price: $5', [], []],
  ])('%s -> %s', (text, value, missing, used) => {
    expect(interpolate(text, vars)).toEqual({ value, missing, used });
  });
});

describe('parseDotEnv', () => {
  it('reads names and values as docker compose does', () => {
    const text = [
      '# a comment',
      'PLAIN=value',
      'export EXPORTED=yes',
      'SPACED = spaced value  # inline comment',
      'HASH=no#comment',
      'SINGLE=\'${PLAIN} stays\'',
      'DOUBLE="line\\nbreak ${PLAIN}"',
      'MULTI="first',
      'second"',
      'EMPTY=',
      'NO_VALUE',
      '',
    ].join('\n');
    expect(parseDotEnv(text).map(({ name, value, line }) => [name, value, line])).toEqual([
      ['PLAIN', 'value', 2],
      ['EXPORTED', 'yes', 3],
      ['SPACED', 'spaced value', 4],
      ['HASH', 'no#comment', 5],
      ['SINGLE', '${PLAIN} stays', 6],
      ['DOUBLE', 'line\nbreak value', 7],
      ['MULTI', 'first\nsecond', 8],
      ['EMPTY', '', 10],
    ]);
  });
});
