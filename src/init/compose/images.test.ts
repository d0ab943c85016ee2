import { describe, expect, it } from 'vitest';
import { classifyImage, parseImageName } from './images.js';

describe('parseImageName', () => {
  it.each([
    ['postgres', { repository: 'postgres', name: 'postgres' }],
    ['postgres:16-alpine', { repository: 'postgres', name: 'postgres', tag: '16-alpine' }],
    ['library/redis:7', { repository: 'redis', name: 'redis', tag: '7' }],
    ['docker.io/bitnami/postgresql:16.2.0', { repository: 'bitnami/postgresql', name: 'postgresql', tag: '16.2.0' }],
    ['localhost:5000/team/api:1.2@sha256:abc', { repository: 'team/api', name: 'api', tag: '1.2' }],
    ['ghcr.io/Org/App', { repository: 'org/app', name: 'app' }],
  ])('%s', (image, parsed) => {
    expect(parseImageName(image)).toEqual(parsed);
  });
});

describe('classifyImage', () => {
  it.each([
    ['postgres:16-alpine', '16'],
    ['postgres:15.6', '15'],
    ['postgres:17', '17'],
    ['bitnami/postgresql:14', '14'],
    ['pgvector/pgvector:pg16', '16'],
  ])('%s is the database, version %s', (image, version) => {
    expect(classifyImage(image)).toMatchObject({ role: 'postgres', version });
  });

  it('says when the tag names no version berth runs, and keeps PostGIS for the local environment', () => {
    expect(classifyImage('postgres')).toMatchObject({ role: 'postgres', notes: [expect.stringContaining('names no version: berth runs PostgreSQL 16')] });
    expect(classifyImage('postgres:12')).toMatchObject({ role: 'postgres', notes: [expect.stringContaining('PostgreSQL 12 (postgres:12) is not a version berth runs')] });
    expect(classifyImage('postgres:12')).not.toHaveProperty('version');
    expect(classifyImage('postgis/postgis:15-3.4')).toMatchObject({ role: 'postgres', version: '15', localImage: 'postgis/postgis:15-3.4', notes: [expect.stringContaining('CREATE EXTENSION postgis')] });
    expect(classifyImage('bitnami/postgresql:16')).toMatchObject({ notes: [expect.stringContaining('berth runs the official postgres image locally')] });
  });

  it.each([
    ['redis', undefined],
    ['redis:7-alpine', undefined],
    ['redis:7.0.15', '7.0'],
    ['redis:6.2-alpine', '6.2'],
    ['bitnami/redis:7.1', '7.1'],
    ['redis/redis-stack:latest', undefined],
    ['valkey/valkey:8', undefined],
  ])('%s is the cache (version %s)', (image, version) => {
    const role = classifyImage(image);
    expect(role.role).toBe('redis');
    expect(role).toEqual(expect.objectContaining(version ? { version } : {}));
    if (!version) expect(role).not.toHaveProperty('version');
  });

  it('notes Redis modules and other engines', () => {
    expect(classifyImage('redislabs/redismod')).toMatchObject({ notes: [expect.stringContaining('Redis modules')] });
    expect(classifyImage('valkey/valkey:8')).toMatchObject({ notes: [expect.stringContaining('Redis 8 is not a version berth runs'), expect.stringContaining('speaks the Redis protocol')] });
  });

  it.each([
    ['mysql:8', 'a MySQL/MariaDB database', true],
    ['mariadb:10-focal', 'a MySQL/MariaDB database', true],
    ['mongo:7', 'a MongoDB database', true],
    ['rabbitmq:3-management', 'a message broker', true],
    ['docker.elastic.co/elasticsearch/elasticsearch:8.13.0', 'a search engine', true],
    ['nginx:alpine', 'a reverse proxy', false],
    ['adminer', 'a development tool', false],
    ['dpage/pgadmin4', 'a development tool', false],
    ['grafana/grafana', 'a monitoring service', false],
  ])('%s is not run by berth: %s', (image, what, blocking) => {
    expect(classifyImage(image)).toMatchObject({ role: 'unsupported', what, blocking });
  });

  it('knows nothing of other images', () => {
    expect(classifyImage('ghcr.io/acme/billing:2.1')).toEqual({ role: 'unknown' });
  });
});
