import { describe, expect, it } from 'vitest';
import { closestKey, closestMatch, editDistance } from './suggest.js';
import { parseDuration, formatDuration } from './durations.js';

describe('closestMatch', () => {
  const keys = ['service', 'database', 'cache', 'domain', 'environments'];
  it('suggests the key a typo was meant to be', () => {
    expect(closestMatch('servce', keys)).toBe('service');
    expect(closestMatch('databse', keys)).toBe('database');
    expect(closestMatch('Cache', keys)).toBe('cache');
    expect(closestMatch('enviroments', keys)).toBe('environments');
  });
  it('stays quiet when nothing is close', () => {
    expect(closestMatch('zzz', keys)).toBeUndefined();
    expect(closestMatch('monitoring', keys)).toBeUndefined();
  });
});

describe('closestKey', () => {
  const serviceKeys = ['kind', 'port', 'path', 'host', 'health', 'count', 'cpu', 'memory', 'command', 'schedule'];
  it('suggests any known key within two edits, a swap of neighbours counting as one', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(closestKey('prot', serviceKeys)).toBe('port');
    expect(closestKey('helth', serviceKeys)).toBe('health');
    expect(closestKey('memroy', serviceKeys)).toBe('memory');
    expect(closestKey('comand', serviceKeys)).toBe('command');
    expect(closestKey('shedule', serviceKeys)).toBe('schedule');
    expect(closestKey('cpus', serviceKeys)).toBe('cpu');
  });
  it('does not call a short unrelated word a typo', () => {
    expect(closestKey('rpc', ['app'])).toBeUndefined();
    expect(closestKey('db', ['app', 'env'])).toBeUndefined();
    expect(closestKey('replicas', serviceKeys)).toBeUndefined();
  });
});

describe('durations', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('7d')).toBe(604800);
    expect(parseDuration(45)).toBe(45);
    expect(parseDuration('45')).toBe(45);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
  });
  it('formats back to the largest whole unit', () => {
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(90)).toBe('90s');
    expect(formatDuration(1200)).toBe('20m');
  });
});
