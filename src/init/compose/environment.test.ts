import { describe, expect, it } from 'vitest';
import type { ComposeEnvVar } from './compose-file.js';
import { classifyVariable, hostOf, pointsAt, type ReplacedDependency } from './environment.js';

const variable = (name: string, value?: string, extra: Partial<ComposeEnvVar> = {}): ComposeEnvVar => ({
  name, ...(value !== undefined ? { value } : {}), source: 'environment', missing: [], fromDotEnv: [], ...extra,
});
const db: ReplacedDependency = { service: 'db', kind: 'database', credentials: ['shop', 'hunter2', '${POSTGRES_PASSWORD}'] };
const redis: ReplacedDependency = { service: 'redis', kind: 'cache', credentials: [] };
const both = [db, redis];

describe('hostOf', () => {
  it.each([
    ['postgres://shop:pw@db:5432/shop', 'HOST', 'db'],
    ['redis://redis:6379/0', 'X', 'redis'],
    ['amqp://guest:guest@rabbit//', 'X', 'rabbit'],
    ['redis:6379', 'X', 'redis'],
    ['db', 'DB_HOST', 'db'],
    ['redis', 'CACHE_BACKEND', undefined],
    ['info', 'LOG_LEVEL', undefined],
  ])('%s in %s', (value, name, host) => {
    expect(hostOf(value, name)).toBe(host);
  });
});

describe('pointsAt: variables berth replaces with its own', () => {
  it.each([
    'DATABASE_URL', 'PGHOST', 'POSTGRES_USER', 'POSTGRES_SERVER', 'DB_HOST', 'DB_NAME', 'DATABASE_PASSWORD', 'SQL_PORT',
  ])('%s goes with the database', (name) => {
    expect(pointsAt(variable(name, 'anything'), both)).toBe(db);
  });

  it.each(['REDIS_URL', 'REDIS_HOST', 'REDIS_PASSWORD', 'CACHE_URL'])('%s goes with the cache', (name) => {
    expect(pointsAt(variable(name, 'anything'), both)).toBe(redis);
  });

  it('recognises values that point at the compose services', () => {
    expect(pointsAt(variable('CELERY_BROKER_URL', 'redis://redis:6379/0'), both)).toBe(redis);
    expect(pointsAt(variable('SQLALCHEMY_DATABASE_URI', 'postgresql+psycopg://shop:pw@db/shop'), both)).toBe(db);
    expect(pointsAt(variable('BROKER', 'redis:6379'), both)).toBe(redis);
    expect(pointsAt(variable('APP_DB_PORT', '5432'), both)).toBe(db);
    expect(pointsAt(variable('APP_DB_PASSWORD', 'hunter2'), both)).toBe(db);
    expect(pointsAt(variable('APP_DB_PASSWORD', 'x', { raw: '${POSTGRES_PASSWORD}' }), both)).toBe(db);
  });

  it('leaves everything else, and what only one kind of dependency would own', () => {
    expect(pointsAt(variable('CACHE_BACKEND', 'redis'), both)).toBeUndefined();
    expect(pointsAt(variable('API_URL', 'http://api:9000'), both)).toBeUndefined();
    expect(pointsAt(variable('WORKERS', '5432'), both)).toBeUndefined();
    expect(pointsAt(variable('ADMIN_USER', 'shop'), both)).toBeUndefined();
    expect(pointsAt(variable('REDIS_URL', 'redis://redis:6379'), [db])).toBeUndefined();
    expect(pointsAt(variable('DATABASE_URL', 'postgres://u:p@rds.example.com/x'), [redis])).toBeUndefined();
  });
});

describe('classifyVariable', () => {
  it('puts plain values in env', () => {
    expect(classifyVariable(variable('LOG_LEVEL', 'info'), both, 'compose.yaml')).toEqual({ to: 'env', value: 'info' });
    expect(classifyVariable(variable('DEBUG', ''), both, 'compose.yaml')).toEqual({ to: 'env', value: '' });
  });

  it('turns secret names and secret-looking values into secrets, saying where a value was left out', () => {
    expect(classifyVariable(variable('SECRET_KEY', 'x'), both, 'compose.yaml')).toEqual({ to: 'secret', why: 'name', valueLeftOutFrom: 'compose.yaml' });
    expect(classifyVariable(variable('SECRET_KEY', 'x', { fromDotEnv: ['SECRET_KEY'] }), both, 'compose.yaml')).toEqual({ to: 'secret', why: 'name', valueLeftOutFrom: '.env' });
    expect(classifyVariable(variable('STRIPE_API_KEY', 'x', { source: 'app.env' }), both, 'compose.yaml')).toEqual({ to: 'secret', why: 'name', valueLeftOutFrom: 'app.env' });
    expect(classifyVariable(variable('SENTRY_DSN'), both, 'compose.yaml')).toEqual({ to: 'secret', why: 'name' });
    expect(classifyVariable(variable('UPSTREAM', 'https://bot:tok3n@hooks.example.com/x'), both, 'compose.yaml')).toEqual({ to: 'secret', why: 'value', valueLeftOutFrom: 'compose.yaml' });
  });

  it('drops what pointed at the dependencies, and leaves out what has no value here', () => {
    expect(classifyVariable(variable('DATABASE_URL', 'postgres://shop:hunter2@db/shop'), both, 'compose.yaml')).toEqual({ to: 'dropped', dependency: db });
    expect(classifyVariable(variable('AWS_SECRET_ACCESS_KEY', 'abc'), both, 'compose.yaml')).toMatchObject({ to: 'left-out', reason: expect.stringContaining('task role') });
    expect(classifyVariable(variable('PASSWORD_FILE', '/run/secrets/db-password'), both, 'compose.yaml')).toMatchObject({ to: 'left-out', reason: expect.stringContaining('compose secret file') });
    expect(classifyVariable(variable('REGION'), both, 'compose.yaml')).toMatchObject({ to: 'left-out', reason: expect.stringContaining('from the shell') });
    expect(classifyVariable(variable('REGION', '', { missing: ['REGION'] }), both, 'compose.yaml')).toMatchObject({ to: 'left-out', reason: expect.stringContaining('${REGION}, which .env does not set') });
  });
});
