/** Whether an app needs PostgreSQL or Redis, from its drivers, its ORM's configuration and its connection strings. */
import type { Dependency } from './dependencies.js';
import { findDependency } from './dependencies.js';
import type { ProjectFiles } from './project-files.js';
import { CODE_FILE } from './project-files.js';

export interface ServiceFinding {
  reason: string;
}

/** Drivers that only talk to PostgreSQL. */
const POSTGRES_DRIVERS = {
  python: ['psycopg', 'psycopg2', 'psycopg2-binary', 'psycopg-binary', 'asyncpg', 'pg8000', 'psycopg-pool'],
  node: ['pg', 'postgres', 'pg-promise', '@neondatabase/serverless', '@vercel/postgres'],
  ruby: ['pg'],
} as const;

/** ORMs that can talk to PostgreSQL, but also to SQLite or MySQL: their configuration decides. */
const ORMS = {
  python: ['sqlalchemy', 'flask-sqlalchemy', 'sqlmodel', 'django', 'tortoise-orm', 'peewee', 'databases'],
  node: ['prisma', '@prisma/client', 'sequelize', 'typeorm', 'knex', 'drizzle-orm', '@mikro-orm/core'],
  ruby: ['activerecord', 'rails'],
} as const;

const REDIS_CLIENTS = {
  python: ['redis', 'hiredis', 'aioredis', 'django-redis', 'rq'],
  node: ['redis', 'ioredis', 'bull', 'bullmq', '@redis/client', 'connect-redis'],
  ruby: ['redis', 'sidekiq', 'redis-rails', 'hiredis', 'resque'],
} as const;

function anyDependency(deps: readonly Dependency[], table: Record<string, readonly string[]>): Dependency | undefined {
  for (const [ecosystem, names] of Object.entries(table)) {
    const found = findDependency(deps, names, ecosystem as Dependency['ecosystem']);
    if (found) return found;
  }
  return undefined;
}

/** Configuration files that name the database engine: prisma schema, database.yml, Django settings, .env examples, code. */
function postgresMention(project: ProjectFiles): string | undefined {
  const candidates = project.paths.filter((path) =>
    /(^|\/)schema\.prisma$/.test(path) || path === 'config/database.yml' || /(^|\/)settings(\/[^/]+)?\.py$/.test(path)
    || /(^|\/)\.env(\.[\w-]+)?$/.test(path) || /^docker-compose[^/]*\.ya?ml$|^compose\.ya?ml$/.test(path) || CODE_FILE.test(path));
  for (const path of candidates) {
    const text = project.read(path);
    if (!text) continue;
    if (/provider\s*=\s*["']postgres(ql)?["']/.test(text)) return `provider = "postgresql" in ${path}`;
    if (/adapter:\s*postgresql/.test(text)) return `adapter: postgresql in ${path}`;
    if (/django\.db\.backends\.postgresql/.test(text)) return `django.db.backends.postgresql in ${path}`;
    if (/postgres(ql)?(\+\w+)?:\/\//.test(text)) return `a postgresql:// connection string in ${path}`;
    if (/image:\s*["']?postgres[:\s"']/.test(text)) return `a postgres image in ${path}`;
  }
  return undefined;
}

function sqliteMention(project: ProjectFiles): string | undefined {
  for (const path of project.paths.filter((candidate) => /(^|\/)(schema\.prisma|database\.yml|settings\.py)$/.test(candidate) || /\.(py|js|ts|rb)$/.test(candidate))) {
    const text = project.read(path);
    if (text && /sqlite3?(:\/\/|["'])|provider\s*=\s*["']sqlite["']|adapter:\s*sqlite3|backends\.sqlite3/.test(text)) return path;
  }
  return undefined;
}

export interface BackingServices {
  database?: ServiceFinding;
  cache?: ServiceFinding;
  /** Why berth does not propose a database although the app uses one (e.g. SQLite inside the container). */
  notes: string[];
}

export function detectBackingServices(deps: readonly Dependency[], project: ProjectFiles): BackingServices {
  const result: BackingServices = { notes: [] };
  const driver = anyDependency(deps, POSTGRES_DRIVERS);
  if (driver) {
    result.database = { reason: `the PostgreSQL driver ${driver.name} in ${driver.file}` };
  } else {
    const orm = anyDependency(deps, ORMS);
    if (orm) {
      const mention = postgresMention(project);
      if (mention) result.database = { reason: `${orm.name} in ${orm.file} with ${mention}` };
      else {
        const sqlite = sqliteMention(project);
        if (sqlite) result.notes.push(`${orm.name} uses SQLite (${sqlite}): its file lives in the container and is lost on every deploy; \`database: postgres\` gives a managed PostgreSQL instead`);
      }
    }
  }
  const redis = anyDependency(deps, REDIS_CLIENTS);
  if (redis) result.cache = { reason: `${redis.name} in ${redis.file}` };
  return result;
}
