import { describe, expect, it } from 'vitest';
import { IMAGE_REFERENCE_PATTERN, quoteForProblem, URL_PATH_PATTERN } from './text-formats.js';

describe('IMAGE_REFERENCE_PATTERN', () => {
  it.each([
    'nginx', 'nginx:1.27', 'postgres:16', 'redis:7', 'library/nginx:latest', 'ghcr.io/acme/api:v1', 'localhost:5000/app',
    `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:${'a'.repeat(64)}`, 'my_org/my-app__x:1.0-rc.1', 'registry.example.com:443/team/app:2024.06',
  ])('accepts %s', (reference) => expect(IMAGE_REFERENCE_PATTERN.test(reference)).toBe(true));

  it.each([
    '--privileged -v /:/host alpine', '-nginx', 'nginx;rm -rf /', 'nginx:1.27 ', 'Acme/API:latest', 'nginx:', 'nginx@sha256:abc', '$(id)', 'a b', 'nginx:1.27|sh',
  ])('refuses %s', (reference) => expect(IMAGE_REFERENCE_PATTERN.test(reference)).toBe(false));

  it('answers quickly on long hostile input', () => {
    const started = Date.now();
    expect(IMAGE_REFERENCE_PATTERN.test(`${'a-'.repeat(5000)}!`)).toBe(false);
    expect(IMAGE_REFERENCE_PATTERN.test(`${'a.'.repeat(5000)}/x!`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('URL_PATH_PATTERN', () => {
  it.each(['/', '/health', '/api/v1/health?full=1&x=%20', "/h?x=$(id)", '/a/b;c=d', '/~user/@x:1'])('accepts %s', (path) => expect(URL_PATH_PATTERN.test(path)).toBe(true));
  it.each(['health', '/health?x=$(touch /tmp/INJECTED)', '/a#frag', '/a b', '/%zz', '/a"b', '/a\nb', '/{x}', '/a`id`', '/a\\b'])('refuses %j', (path) => expect(URL_PATH_PATTERN.test(path)).toBe(false));
});

describe('quoteForProblem', () => {
  it('quotes short values and shortens long ones to one line with their length', () => {
    expect(quoteForProblem('eighty')).toBe('"eighty"');
    expect(quoteForProblem('x'.repeat(50_000))).toBe(`"${'x'.repeat(60)}…" (50000 characters)`);
    expect(quoteForProblem('a\nb')).toBe('"a b"');
  });
});
