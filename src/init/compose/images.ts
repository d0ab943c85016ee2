/**
 * What a compose service's image is, for berth: the PostgreSQL or Redis berth runs itself (with the version its
 * tag names), or something berth does not run, with what to do instead. Pure.
 */
import { DEFAULTS } from '../../config/defaults.js';
import { POSTGRES_VERSIONS, REDIS_VERSIONS } from '../../config/schema.js';

export interface ImageName {
  /** The repository path without registry and tag, lower-case: "postgres", "bitnami/postgresql", "postgis/postgis". */
  repository: string;
  /** The last path segment: "postgres", "postgresql", "postgis". */
  name: string;
  tag?: string;
}

export function parseImageName(image: string): ImageName {
  const withoutDigest = image.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
  let path = (colon > slash ? withoutDigest.slice(0, colon) : withoutDigest).toLowerCase();
  const parts = path.split('/');
  // A first part with a dot or a port, or "localhost", is a registry.
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost')) path = parts.slice(1).join('/');
  path = path.replace(/^library\//, '');
  return { repository: path, name: path.split('/').at(-1)!, ...(tag ? { tag } : {}) };
}

export type ImageRole =
  | { role: 'postgres'; version?: string; notes: string[]; localImage?: string }
  | { role: 'redis'; version?: string; notes: string[] }
  /** `blocking`: the app needs it to work (a database, a broker); otherwise it is a tool around the app. */
  | { role: 'unsupported'; what: string; instead: string; blocking: boolean }
  | { role: 'unknown' };

const POSTGRES_NAMES = new Set(['postgres', 'postgresql', 'postgis', 'pgvector']);
const REDIS_NAMES = new Set(['redis', 'redis-stack', 'redis-stack-server', 'redismod', 'valkey', 'keydb']);

/** Images berth does not run, by repository name, with what to do instead. */
const UNSUPPORTED: ReadonlyArray<{ names: RegExp; what: string; instead: string; blocking?: false }> = [
  { names: /^(mysql|mariadb|percona|percona-server|mysql-server)$/, what: 'a MySQL/MariaDB database', instead: 'berth runs PostgreSQL only: move the app to PostgreSQL (`database: postgres`), or keep MySQL elsewhere (e.g. Amazon RDS for MySQL) and pass its URL as a secret (`berth secrets set DATABASE_URL`)' },
  { names: /^(mongo|mongodb|mongodb-community-server)$/, what: 'a MongoDB database', instead: 'run MongoDB outside berth (MongoDB Atlas or Amazon DocumentDB) and pass its connection string as a secret' },
  { names: /^(rabbitmq|activemq|artemis)$/, what: 'a message broker', instead: 'use Redis as the broker (`cache: redis`, e.g. Celery with REDIS_URL), or Amazon MQ with its URL as a secret' },
  { names: /^(kafka|cp-kafka|zookeeper|cp-zookeeper|redpanda|nats)$/, what: 'a streaming broker', instead: 'use a managed one (Amazon MSK, or a hosted service) and pass its address in env/secrets' },
  { names: /^(memcached)$/, what: 'a memcached cache', instead: 'use `cache: redis`; Redis clients replace memcached for most apps' },
  { names: /^(elasticsearch|opensearch|solr|meilisearch|typesense)$/, what: 'a search engine', instead: 'use a managed one (Amazon OpenSearch Service or a hosted service) and pass its URL as a secret' },
  { names: /^(minio|localstack|azurite|fake-gcs-server)$/, what: 'a local stand-in for cloud storage', instead: 'on AWS use S3 directly: give the app the bucket name in env and the task role access to it' },
  { names: /^(nginx|traefik|caddy|haproxy|envoy|httpd|nginx-proxy|openresty)$/, what: 'a reverse proxy', instead: "berth's load balancer routes requests to the web services (give a second web service a `path:` or `host:`); static files: serve them from the app or a CDN", blocking: false },
  { names: /^(adminer|pgadmin4|phpmyadmin|mailhog|mailpit|maildev|redis-commander|redisinsight|mongo-express|portainer|smtp4dev|dozzle)$/, what: 'a development tool', instead: 'not deployed; keep using it with docker compose', blocking: false },
  { names: /^(prometheus|grafana|jaeger|all-in-one|otel-collector|opentelemetry-collector|opentelemetry-collector-contrib|loki|promtail|zipkin|datadog-agent|agent)$/, what: 'a monitoring service', instead: 'berth sends logs and metrics to CloudWatch; run other monitoring outside the app', blocking: false },
  { names: /^(timescaledb|timescaledb-ha|cockroach|cassandra|couchdb|neo4j|influxdb|clickhouse-server|questdb|surrealdb)$/, what: 'a database berth does not run', instead: 'run it outside berth (a managed service) and pass its URL as a secret' },
];

function postgresVersion(image: ImageName): { version?: string; note?: string } {
  const tag = image.tag ?? 'latest';
  const major = /^(?:pg)?(\d+)/.exec(tag)?.[1];
  if (!major) return { note: `${image.repository}:${tag} names no version: berth runs PostgreSQL ${DEFAULTS.database.version} (the default; pin a version with database.version)` };
  if ((POSTGRES_VERSIONS as readonly string[]).includes(major)) return { version: major };
  return { note: `PostgreSQL ${major} (${image.repository}:${tag}) is not a version berth runs (${POSTGRES_VERSIONS.join(', ')}): berth uses the default ${DEFAULTS.database.version}; upgrade the data when you move it` };
}

function redisVersion(image: ImageName): { version?: string; note?: string } {
  const tag = image.tag ?? 'latest';
  const minor = /^(\d+)\.(\d+)/.exec(tag);
  const version = minor ? `${minor[1]}.${minor[2]}` : undefined;
  if (version && (REDIS_VERSIONS as readonly string[]).includes(version)) return { version };
  const major = /^(\d+)/.exec(tag)?.[1];
  if (major === '7' || major === '6') return {};
  if (!major) return {};
  return { note: `Redis ${tag} is not a version berth runs (${REDIS_VERSIONS.join(', ')}): berth uses the default ${DEFAULTS.cache.version}` };
}

export function classifyImage(image: string): ImageRole {
  const parsed = parseImageName(image);
  if (POSTGRES_NAMES.has(parsed.name)) {
    const { version, note } = postgresVersion(parsed);
    const notes = note ? [note] : [];
    let localImage: string | undefined;
    if (parsed.name === 'postgis' || parsed.name === 'pgvector') {
      // Both build on the official postgres image (same variables and data folder), so the local target can run them.
      localImage = image;
      notes.push(`${parsed.repository} adds the ${parsed.name === 'postgis' ? 'PostGIS' : 'pgvector'} extension: RDS has it too; create it in a migration (CREATE EXTENSION ${parsed.name === 'postgis' ? 'postgis' : 'vector'}), and the local environment runs ${image}`);
    } else if (parsed.repository.startsWith('bitnami/')) {
      notes.push(`${parsed.repository} is configured with its own variables (POSTGRESQL_*): berth runs the official postgres image locally and RDS on AWS instead`);
    }
    return { role: 'postgres', ...(version ? { version } : {}), notes, ...(localImage ? { localImage } : {}) };
  }
  if (REDIS_NAMES.has(parsed.name)) {
    const { version, note } = redisVersion(parsed);
    const notes = note ? [note] : [];
    if (/stack|mod/.test(parsed.name)) notes.push(`${parsed.repository} includes Redis modules (RedisJSON, RediSearch ...): ElastiCache and berth's local Redis do not; the app must work without them`);
    if (parsed.name === 'valkey' || parsed.name === 'keydb') notes.push(`${parsed.repository} speaks the Redis protocol: berth runs Redis (ElastiCache on AWS)`);
    return { role: 'redis', ...(version ? { version } : {}), notes };
  }
  for (const entry of UNSUPPORTED) {
    if (entry.names.test(parsed.name)) return { role: 'unsupported', what: entry.what, instead: entry.instead, blocking: entry.blocking ?? true };
  }
  return { role: 'unknown' };
}
