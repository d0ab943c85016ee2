import { describe, expect, it } from 'vitest';
import { connectionAdvice, findComposeHostnames, hostnameKind } from './compose-hostnames.js';
import { projectFromRecord } from './project-files.js';

const find = (files: Record<string, string>, hostnames?: string[]) =>
  findComposeHostnames(projectFromRecord(files), hostnames).map((use) => `${use.file}:${use.line} ${use.hostname}`);

describe('findComposeHostnames', () => {
  it.each([
    ['app.py', 'from redis import Redis\ncache = Redis(host="redis", port=6379)\n', 'app.py:2 redis'],
    ['app.py', 'conn = psycopg2.connect(host="db", dbname="app", user="postgres")\n', 'app.py:1 db'],
    ['db.py', 'engine = create_engine("postgresql+psycopg2://app:secret@postgres:5432/app")\n', 'db.py:1 postgres'],
    ['config.py', 'REDIS_HOST = os.environ.get("REDIS_HOST", "redis")\n', 'config.py:1 redis'],
    ['settings.py', "DATABASES = {'default': {\n    'ENGINE': 'django.db.backends.postgresql',\n    'HOST': 'db',\n}}\n", 'settings.py:3 db'],
    ['server.js', "const redis = new Redis({ host: 'redis', port: 6379 });\n", 'server.js:1 redis'],
    ['db.ts', "const pool = new Pool({ connectionString: 'postgres://app:pw@database:5432/app' });\n", 'db.ts:1 database'],
    ['index.js', 'const client = createClient({ url: process.env.REDIS_URL || "redis://cache:6379" });\n', 'index.js:1 cache'],
    ['main.go', 'rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})\n', 'main.go:1 redis'],
    ['config/initializers/redis.rb', '$redis = Redis.new(host: "redis", port: 6379)\n', 'config/initializers/redis.rb:1 redis'],
    ['config/database.yml', 'production:\n  adapter: postgresql\n  host: db\n', 'config/database.yml:3 db'],
  ])('finds %s', (file, text, expected) => {
    expect(find({ [file]: text })).toEqual([expected]);
  });

  it('leaves code that reads the URL variables, comments, tests, and words that are not hosts', () => {
    expect(find({
      'app.py': [
        'import os',
        'cache = Redis.from_url(os.environ["REDIS_URL"])',
        '# Redis(host="redis") in docker compose',
        'BACKEND = "redis"  # the cache backend, not a host',
        'url = "https://docs.example.com/redis:6379"',
        'engine = create_engine(os.environ["DATABASE_URL"])',
      ].join('\n'),
      'tests/test_app.py': 'Redis(host="redis")\n',
      'docker-compose.yml': 'environment:\n  REDIS_URL: redis://redis:6379\n',
      'README.md': 'redis://redis:6379',
    })).toEqual([]);
  });

  it('looks for the names it is given, such as the compose services', () => {
    const files = { 'app.py': 'broker = "amqp://guest:guest@rabbit:5672//"\nstore = Redis(host="kv")\n' };
    expect(find(files)).toEqual([]);
    expect(find(files, ['rabbit', 'kv'])).toEqual(['app.py:1 rabbit', 'app.py:2 kv']);
  });

  it('says what to read instead', () => {
    expect(hostnameKind('postgres')).toBe('database');
    expect(hostnameKind('cache')).toBe('cache');
    expect(hostnameKind('search')).toBeUndefined();
    expect(connectionAdvice('cache')).toBe('read REDIS_URL, which berth sets');
    expect(connectionAdvice('database')).toContain('read DATABASE_URL (or PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD)');
  });
});
