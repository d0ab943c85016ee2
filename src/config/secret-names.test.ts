import { describe, expect, it } from 'vitest';
import { BROWSER_PUBLIC_NAMES, looksSecretName, secretLooking, secretValueKind } from './secret-names.js';

describe('looksSecretName', () => {
  it.each([
    // KEY, TOKEN, PASSWORD, SECRET, DSN, PRIVATE, and the words around them
    'API_KEY', 'OPENAI_API_KEY', 'STRIPE_KEY', 'SECRET_KEY', 'STRIPE_SECRET_KEY', 'RAILS_MASTER_KEY', 'ENCRYPTION_KEY', 'KEY',
    'GITHUB_TOKEN', 'SLACK_BOT_TOKEN', 'NPM_TOKEN', 'TOKEN', 'AUTH_TOKEN',
    'DB_PASSWORD', 'SMTP_PASS', 'REDIS_PWD', 'PGPASSWORD', 'MYSQL_ROOT_PASSWORD', 'GPG_PASSPHRASE',
    'SECRET', 'JWT_SECRET', 'SESSION_SECRET', 'STRIPE_WEBHOOK_SECRET', 'CLIENT_SECRET',
    'SENTRY_DSN', 'DATABASE_DSN',
    'PRIVATE_KEY', 'JWT_PRIVATE', 'OPENAIAPIKEY',
    'GOOGLE_CREDENTIALS', 'GOOGLE_APPLICATION_CREDENTIALS', 'HASH_SALT', 'BASIC_AUTH',
    // qualifiers that keep a secret a secret
    'SECRET_KEY_BASE', 'CREDENTIALS_JSON', 'API_KEY_PROD', 'SIGNING_KEY_B64', 'SECRET_KEY_FALLBACKS', 'TOKEN_V2',
    // environment names are case-insensitive on some platforms: the rule is too
    'api_key', 'Db_Password',
  ])('%s looks secret', (name) => {
    expect(looksSecretName(name)).toBe(true);
  });

  it.each([
    // a secret word followed by what the value is about: a duration, a URL, a header name, a path, an id
    'TOKEN_TTL', 'TOKEN_URL', 'TOKEN_EXPIRY', 'JWT_SECRET_EXPIRES_IN', 'API_KEY_HEADER', 'PUBLIC_KEY_URL', 'JWKS_PUBLIC_KEY_URL',
    'DB_PASSWORD_FILE', 'PRIVATE_KEY_PATH', 'AWS_ACCESS_KEY_ID', 'CACHE_KEY_PREFIX', 'SECRET_NAME', 'SECRET_ARN',
    'PASSWORD_RESET_TIMEOUT', 'AUTH_URL', 'AUTH_ENABLED', 'AUTH_DOMAIN', 'PRIVATE_SUBNETS', 'PASS_THROUGH',
    // public by nature
    'JWT_PUBLIC_KEY', 'PUBLIC_KEY', 'STRIPE_PUBLISHABLE_KEY',
    // words that only contain a secret word
    'MONKEY', 'KEYBOARD_LAYOUT', 'BYPASS', 'COMPASS_URL', 'OAUTH_CALLBACK', 'AUTHOR',
    // plain settings and the shell's working directory
    'LOG_LEVEL', 'PORT', 'DATABASE_URL', 'PWD', 'OLDPWD',
  ])('%s does not look secret', (name) => {
    expect(looksSecretName(name)).toBe(false);
  });

  it('leaves out what the caller excludes, by pattern or by name', () => {
    expect(looksSecretName('NEXT_PUBLIC_API_KEY')).toBe(true);
    expect(looksSecretName('NEXT_PUBLIC_API_KEY', { exclude: [BROWSER_PUBLIC_NAMES] })).toBe(false);
    expect(looksSecretName('VITE_MAPBOX_TOKEN', { exclude: [BROWSER_PUBLIC_NAMES] })).toBe(false);
    expect(looksSecretName('PGPASSWORD', { exclude: ['PGPASSWORD'] })).toBe(false);
    expect(looksSecretName('pgpassword', { exclude: ['PGPASSWORD'] })).toBe(false);
    expect(looksSecretName('DB_PASSWORD', { exclude: ['PGPASSWORD'] })).toBe(true);
  });
});

describe('secretLooking (name and value)', () => {
  const AWS_KEY = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');

  it('says why, without the value', () => {
    expect(secretLooking('UPSTREAM', `key=${AWS_KEY}`)).toBe('its value looks like an AWS access key id');
    expect(secretLooking('DATABASE_DSN', 'postgres://app:hunter2@db:5432/app')).toBe('its value looks like a URL with a password');
    expect(secretLooking('CELERY_BROKER_URL', 'amqp://guest:guest@rabbit//')).toBe('its value looks like a URL with a password');
    expect(secretLooking('STRIPE_SECRET_KEY', 'whatever-it-is')).toBe('its name suggests a secret');
    expect(secretLooking('STRIPE_SECRET_KEY', 'whatever-it-is')).not.toContain('whatever');
  });

  it('passes plain values, URLs without credentials and harmless values under secret names', () => {
    expect(secretLooking('PUBLIC_URL', 'https://example.com/path')).toBeUndefined();
    expect(secretLooking('SENTRY_DSN', '')).toBeUndefined();
    expect(secretLooking('API_KEY', 'changeme')).toBeUndefined();
    expect(secretLooking('REDIS_URL', 'redis://redis:6379/0')).toBeUndefined();
    expect(secretValueKind('redis://redis:6379/0')).toBeUndefined();
  });
});
