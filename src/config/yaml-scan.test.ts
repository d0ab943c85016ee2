import { describe, expect, it } from 'vitest';
import { positionAt, yamlPastLimits } from './yaml-scan.js';
import { syntaxMessage } from './yaml-document.js';

const LIMITS = { depth: 8, values: 50, aliases: 3 };

describe('yamlPastLimits', () => {
  it('passes a real berth.yml (about 8 levels at most) under the real limits', () => {
    const text = 'app: a\nenvironments:\n  prod:\n    services:\n      web:\n        count:\n          schedule:\n            - { cron: "0 20 * * *", min: 1 }\n';
    expect(yamlPastLimits(text, { depth: 32, values: 5000, aliases: 100 })).toBeUndefined();
  });

  it('stops at the first flow level past the limit, with its position, however deep the text goes', () => {
    const started = Date.now();
    const text = `app: a\nenv: { A: ${'['.repeat(300_000)}${']'.repeat(300_000)} }\n`;
    expect(yamlPastLimits(text, LIMITS)).toEqual({ line: 2, column: 17, limit: 'depth' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts block nesting by indentation, compact sequences included', () => {
    let text = 'a:\n';
    for (let i = 1; i <= 12; i++) text += `${' '.repeat(i)}k${i}:\n`;
    expect(yamlPastLimits(text, LIMITS)).toMatchObject({ limit: 'depth', line: 9 });
    expect(yamlPastLimits(`a: ${'- '.repeat(20)}x\n`, LIMITS)).toMatchObject({ limit: 'depth', line: 1 });
    expect(yamlPastLimits('a:\n  b:\n    c: 1\n  d: [1, 2]\ne: f\n', LIMITS)).toBeUndefined();
  });

  it('does not count what is inside block scalars and quoted strings', () => {
    const text = `app: a\nscript: |\n${Array.from({ length: 20 }, (_, i) => `${' '.repeat(i + 2)}- [x]: {`).join('\n')}\nq: "[[[[[[[[[[[["\n`;
    expect(yamlPastLimits(text, LIMITS)).toBeUndefined();
  });

  it('counts keys and values, and aliases', () => {
    const many = `env:\n${Array.from({ length: 30 }, (_, i) => `  K${i}: v`).join('\n')}\n`;
    expect(yamlPastLimits(many, LIMITS)).toMatchObject({ limit: 'values', line: 26 });
    expect(yamlPastLimits('a: &x 1\nb: [*x, *x, *x, *x]\n', LIMITS)).toEqual({ line: 2, column: 17, limit: 'aliases' });
  });
});

describe('positionAt', () => {
  it('gives 1-based lines and columns', () => {
    expect(positionAt('ab\ncd\n', 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt('ab\ncd\n', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('syntaxMessage', () => {
  it('drops the source the yaml library quotes and the position it appends', () => {
    expect(syntaxMessage('Unexpected scalar token in YAML stream: "API_KEY=sk_live_abc"')).toBe('Unexpected scalar token in YAML stream');
    expect(syntaxMessage('Nested mappings are not allowed in compact mappings at line 7, column 7:\n\n env: x\n      ^')).toBe('Nested mappings are not allowed in compact mappings');
  });
});
