/**
 * DATABASE_URL, PG* and REDIS_URL as the app sees them — the same variable names and URL shapes as on AWS
 * (postgresql://user:password@host:5432/name, redis://host:6379), only the hosts differ.
 */
import type { CacheSpec, DatabaseSpec } from '../../config/model.js';

export interface DatabaseEndpoint {
  host: string;
  port: number;
  password: string;
}

export function databaseEnv(database: DatabaseSpec, endpoint: DatabaseEndpoint): Record<string, string> {
  const user = encodeURIComponent(database.username);
  const password = encodeURIComponent(endpoint.password);
  return {
    DATABASE_URL: `postgresql://${user}:${password}@${endpoint.host}:${endpoint.port}/${database.name}`,
    PGHOST: endpoint.host,
    PGPORT: String(endpoint.port),
    PGDATABASE: database.name,
    PGUSER: database.username,
    PGPASSWORD: endpoint.password,
  };
}

export function cacheEnv(_cache: CacheSpec, host: string, port = 6379): Record<string, string> {
  return { REDIS_URL: `redis://${host}:${port}` };
}
