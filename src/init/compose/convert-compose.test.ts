import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectFromRecord, type ProjectFiles } from '../project-files.js';
import { scanProject } from '../scan-project.js';
import { findComposeFile, parseComposeFile } from './compose-file.js';
import { convertCompose, envNameFromSecret, serviceNameFrom, withAppName } from './convert-compose.js';
import { renderComposeBerthYml } from './render-compose-berth-yml.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/apps/', import.meta.url));

function convert(project: ProjectFiles, folderName = 'shop', parentName = 'work') {
  const file = findComposeFile(project.paths)!;
  const conversion = convertCompose(parseComposeFile(project.read(file)!, file, project), project, { folderName, parentName });
  const text = renderComposeBerthYml(conversion, { schemaPath: '.berth/schema.json' });
  return { conversion, text, yaml: parse(text) as Record<string, unknown> };
}
const fixture = (name: string) => convert(scanProject(`${FIXTURES}${name}`), name);
const inMemory = (compose: string, files: Record<string, string> = {}) =>
  convert(projectFromRecord({ 'compose.yaml': compose, Dockerfile: 'FROM python:3.12-slim\nUSER app\nCMD ["python", "app.py"]\n', ...files }));
const paths = (conversion: { leftOut: Array<{ path: string }> }) => conversion.leftOut.map((item) => item.path);

describe('the compose fixtures', () => {
  it('flask + redis (awesome-compose flask-redis): one web service, its build stage, the cache, BuildKit and the redis hostname', () => {
    const { conversion, yaml, text } = fixture('compose-flask-redis');
    expect(yaml).toEqual({
      version: 1,
      app: 'compose-flask-redis',
      service: { port: 8000, health: { path: '/' }, build: { context: 'app', target: 'builder' } },
      cache: 'redis',
    });
    expect(conversion.outcomes.map((outcome) => `${outcome.compose}: ${outcome.became}`)).toEqual([
      'redis: cache: redis (redislabs/redismod)',
      'web: service: web service on port 8000, health /',
    ]);
    expect(conversion.warnings).toEqual([
      'app/app.py:5 connects to the host "redis" (`counter = Redis(host="redis", port=6379)`): that name exists only on a docker compose network; read REDIS_URL, which berth sets',
    ]);
    expect(conversion.notes).toContainEqual(expect.stringMatching(/^app\/Dockerfile needs BuildKit \(the `# syntax=docker\/dockerfile:1\.4` directive on line 1, \$BUILDPLATFORM \(set only by BuildKit\) on line 2, RUN --mount on line 6, a heredoc \(RUN <<EOF\) on line 16\)/));
    expect(conversion.notes).toContainEqual(expect.stringContaining('redislabs/redismod includes Redis modules'));
    expect(paths(conversion)).toEqual(['services.redis', 'services.web.volumes', 'services.web.stop_signal']);
    expect(text).toContain('# compose builds the stage builder (app/Dockerfile line 2); the last stage is dev-envs');
  });

  it('fastapi + postgres (full-stack FastAPI template): the database with its version, the migration script, secrets without their values', () => {
    const { conversion, yaml, text } = fixture('compose-fastapi-postgres');
    expect(yaml).toEqual({
      version: 1,
      app: 'ledger',
      service: {
        port: 8000,
        health: { path: '/api/v1/utils/health-check/', interval: 10, timeout: 5, unhealthyThreshold: 5 },
        build: { context: 'backend' },
        env: { PROJECT_NAME: 'Ledger', FIRST_SUPERUSER: 'admin@example.com', ENVIRONMENT: 'local', BACKEND_CORS_ORIGINS: 'http://localhost,http://localhost:5173' },
        secrets: ['SECRET_KEY', 'FIRST_SUPERUSER_PASSWORD', 'SENTRY_DSN'],
      },
      release: { before: ['bash', 'scripts/prestart.sh'] },
      database: { engine: 'postgres', version: '16' },
    });
    expect(conversion.reasons.app).toBe('from the compose project name (name: ledger in compose.yaml)');
    expect(conversion.secrets).toEqual([
      { name: 'SECRET_KEY', valueLeftOutFrom: '.env' },
      { name: 'FIRST_SUPERUSER_PASSWORD', valueLeftOutFrom: '.env' },
      { name: 'SENTRY_DSN' },
    ]);
    expect(conversion.notes).toContainEqual('left out POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_SERVER, POSTGRES_PORT: they pointed at the compose service db; berth injects DATABASE_URL and PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD for the database it runs; make the code read DATABASE_URL (or the PG* variables) instead of POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_SERVER, POSTGRES_PORT');
    expect(conversion.notes).toContainEqual('compose.yaml: adminer (adminer) is a development tool, which berth does not run: not deployed; keep using it with docker compose');
    expect(conversion.warnings).toEqual([]);
    expect(paths(conversion)).toEqual(['services.db', 'services.adminer', 'services.backend.restart', 'services.backend.labels', 'volumes']);
    for (const value of ['changethis-local-only', 'changethis-too', 'changethis-db']) expect(text).not.toContain(value);
  });

  it('django web + celery worker + migrate: two services sharing the build, shared env and secrets, release.before', () => {
    const { conversion, yaml, text } = fixture('compose-django-worker');
    expect(yaml).toEqual({
      version: 1,
      app: 'compose-django',
      env: { DJANGO_SETTINGS_MODULE: 'shop.settings', DEBUG: '0', ALLOWED_HOSTS: '*' },
      secrets: ['SECRET_KEY', 'STRIPE_API_KEY'],
      services: {
        web: {
          port: 8000,
          command: ['gunicorn', 'shop.wsgi:application', '--bind', '0.0.0.0:8000', '--workers', '3'],
          health: { path: '/health/', interval: 15, timeout: 3, gracePeriod: 20 },
          count: 2,
        },
        worker: {
          kind: 'worker',
          command: ['celery', '-A', 'shop', 'worker', '--loglevel=info'],
          health: { command: ['celery', '-A', 'shop', 'inspect', 'ping'], interval: 30, timeout: 10 },
        },
      },
      release: { before: ['python', 'manage.py', 'migrate', '--noinput'] },
      database: { engine: 'postgres', version: '15' },
      cache: 'redis',
    });
    expect(conversion.outcomes.map((outcome) => outcome.became)).toEqual([
      'services.web: web service on port 8000, health /health/',
      'services.worker: worker (celery -A shop worker --loglevel=info)',
      'release.before: python manage.py migrate --noinput',
      'database: postgres 15 (postgres:15)',
      'cache: redis (redis:7-alpine)',
    ]);
    expect(conversion.notes).toContainEqual('left out CELERY_BROKER_URL: it pointed at the compose service redis; berth injects REDIS_URL for the cache it runs; make the code read REDIS_URL instead of CELERY_BROKER_URL');
    expect(conversion.notes).toContainEqual(expect.stringMatching(/^left out DATABASE_URL: it pointed at the compose service db/));
    expect(conversion.warnings).toEqual([expect.stringMatching(/^shop\/settings\.py:12 connects to the host "redis"/)]);
    expect(conversion.secrets).toEqual([{ name: 'SECRET_KEY', valueLeftOutFrom: 'docker-compose.yml' }, { name: 'STRIPE_API_KEY' }]);
    expect(conversion.leftOut).toContainEqual({ path: 'services.worker.deploy.resources', what: 'cpus 0.5, memory 1G', reason: 'size each service with cpu and memory (Fargate sizes, e.g. cpu: 512, memory: 1024)' });
    expect(paths(conversion)).toEqual(['services.db', 'services.web.container_name', 'services.worker.deploy.resources', 'x-django-env', 'volumes']);
    expect(text).not.toContain('dev-only-secret-key');
    expect(text).not.toContain('shop:shop@db');
  });

  it('flask + mariadb behind nginx (awesome-compose nginx-flask-mysql): mariadb and the proxy are not converted, and say what to do', () => {
    const { conversion, yaml, text } = fixture('compose-flask-mysql');
    expect(yaml).toEqual({
      version: 1,
      app: 'compose-flask-mysql',
      service: {
        port: 8000,
        health: { path: '/health', interval: 30, timeout: 10, unhealthyThreshold: 3, gracePeriod: 40 },
        build: { context: 'backend', target: 'builder' },
        secrets: ['DB_PASSWORD'],
      },
    });
    expect(conversion.outcomes.map((outcome) => `${outcome.compose}: ${outcome.became}`)).toEqual([
      'db: not converted: a MySQL/MariaDB database',
      'backend: service: web service on port 8000, health /health',
      'proxy: not converted: a reverse proxy in front of backend',
    ]);
    expect(conversion.warnings).toEqual([
      expect.stringMatching(/^compose\.yaml: db \(mariadb:10\.11\) is a MySQL\/MariaDB database, which berth does not run: berth runs PostgreSQL only: move the app to PostgreSQL/),
      'backend reads the compose secret db-password from the file /run/secrets/db-password; berth gives secrets to the app as environment variables: read DB_PASSWORD from the environment instead (declared in secrets)',
      expect.stringMatching(/^backend\/hello\.py:6 connects to the host "db" .*: the compose service db, which berth does not run; point it at where that service runs instead$/),
    ]);
    expect(conversion.notes).toContainEqual(expect.stringMatching(/^backend\/Dockerfile needs BuildKit/));
    expect(conversion.secrets).toEqual([{ name: 'DB_PASSWORD', valueLeftOutFrom: 'db/password.txt' }]);
    expect(paths(conversion)).toEqual(['services.db', 'services.proxy', 'services.backend.restart', 'services.backend.networks', 'services.backend.logging', 'volumes', 'networks']);
    expect(text).not.toContain('db-78n9n');
    expect(text).toContain('# - services.db (mariadb:10.11): berth runs PostgreSQL only');
  });
});

describe('convertCompose rules', () => {
  it('accounts for every key of an app service: mapped, or left out with a reason', () => {
    const { conversion } = inMemory(`services:
  web:
    build: .
    ports: ["8000:8000"]
    privileged: true
    cap_add: [NET_ADMIN]
    network_mode: host
    extra_hosts: ["host.docker.internal:host-gateway"]
    user: "1000"
    working_dir: /srv
    tmpfs: [/tmp]
    x-note: hello
    profiles_unused_key: 1
`);
    expect(paths(conversion)).toEqual([
      'services.web.privileged', 'services.web.cap_add', 'services.web.network_mode', 'services.web.extra_hosts', 'services.web.user',
      'services.web.working_dir', 'services.web.tmpfs', 'services.web.x-note', 'services.web.profiles_unused_key',
    ]);
    expect(conversion.leftOut.find((item) => item.path === 'services.web.network_mode')?.reason).toContain('awsvpc');
    expect(conversion.leftOut.find((item) => item.path === 'services.web.profiles_unused_key')?.reason).toBe('berth.yml has no equivalent');
  });

  it('routes a second web service by path, and makes the one that depends on the other the default', () => {
    const { yaml, conversion } = inMemory(`services:
  api:
    build: .
    ports: ["9000:9000"]
  frontend:
    build: ./frontend
    ports: ["3000:3000"]
    depends_on: [api]
    environment:
      API_URL: http://api:9000
      BACKEND: http://api:9000/v2
`, { 'frontend/Dockerfile': 'FROM node:20\nUSER node\nCMD ["node", "server.js"]\n' });
    const services = yaml.services as Record<string, Record<string, unknown>>;
    expect(services.api).toMatchObject({ port: 9000, path: '/api/*' });
    expect(services.frontend).toMatchObject({ port: 3000, build: { context: 'frontend' } });
    expect(services.frontend).not.toHaveProperty('path');
    // berth injects API_URL into the other services; another name for the same address is the app's own setting.
    expect(services.frontend!.env).toEqual({ BACKEND: 'http://api:9000/v2' });
    expect(conversion.notes).toContainEqual('left out API_URL of frontend: berth sets it to the address of the api service inside the environment');
    expect(conversion.warnings).toContainEqual(expect.stringContaining('api gets path /api/* so the load balancer can tell it from frontend'));
    expect(conversion.notes).toContainEqual(expect.stringContaining('frontend depends on api in compose.yaml: berth starts services independently'));
  });

  it('carries the entrypoint into the command only when the image has no ENTRYPOINT', () => {
    const without = inMemory('services:\n  web:\n    build: .\n    ports: ["80:8000"]\n    entrypoint: ["/bin/start"]\n    command: --fast\n');
    expect((without.yaml.service as Record<string, unknown>).command).toEqual(['/bin/start', '--fast']);
    const withEntrypoint = inMemory('services:\n  web:\n    build: .\n    ports: ["80:8000"]\n    entrypoint: ["/bin/start"]\n    command: ["--fast"]\n', {
      Dockerfile: 'FROM python:3.12\nUSER app\nENTRYPOINT ["python"]\nCMD ["app.py"]\n',
    });
    expect((withEntrypoint.yaml.service as Record<string, unknown>).command).toEqual(['--fast']);
    expect(withEntrypoint.conversion.leftOut).toContainEqual(expect.objectContaining({ path: 'services.web.entrypoint', reason: expect.stringContaining('the image has ENTRYPOINT (line 3)') }));
  });

  it('never writes a value that looks like a credential: env, build args, commands', () => {
    const { text, conversion } = inMemory(`services:
  web:
    build:
      context: .
      args:
        NPM_TOKEN: npm_abcdefghijklmnop
        NEXT_PUBLIC_URL: https://shop.example.com
    ports: ["8000:8000"]
    command: ["python", "app.py", "--db", "postgres://admin:hunter2@10.0.0.5/shop"]
    environment:
      WEBHOOK: https://bot:tok3n-value@hooks.example.com/x
      AWS_SECRET_ACCESS_KEY: abcd/efgh
`);
    for (const value of ['npm_abcdefghijklmnop', 'hunter2', 'tok3n-value', 'abcd/efgh']) expect(text).not.toContain(value);
    expect(text).toContain('NEXT_PUBLIC_URL: https://shop.example.com');
    expect(paths(conversion)).toEqual(['services.web.build.args.NPM_TOKEN', 'services.web.command', 'services.web.environment.AWS_SECRET_ACCESS_KEY']);
    expect((parse(text) as { service: { secrets: string[] } }).service.secrets).toEqual(['WEBHOOK']);
  });

  it('treats one-off, profile, second-database, built-database and unknown-image services as such', () => {
    const { conversion, yaml } = inMemory(`services:
  web:
    build: .
    ports: ["8000:8000"]
  seed:
    build: .
    command: python seed.py
    restart: "no"
  docs:
    build: ./docs
    profiles: [docs]
  db:
    build: ./db
  analytics-db:
    image: postgres:16
  billing:
    image: ghcr.io/acme/billing:2
`, { 'db/Dockerfile': 'FROM postgres:16\nCOPY init.sql /docker-entrypoint-initdb.d/\n' });
    expect(yaml).toMatchObject({ database: { engine: 'postgres', version: '16' } });
    expect(conversion.outcomes.map((outcome) => `${outcome.compose}: ${outcome.became}`)).toEqual([
      'web: service: web service on port 8000, health /',
      'seed: not converted: a one-off task',
      'docs: not converted: only in profile docs',
      'db: database: postgres 16 (postgres:16)',
      'analytics-db: not converted: a second PostgreSQL',
      'billing: not converted: an image berth does not build',
    ]);
    expect(conversion.warnings).toContainEqual(expect.stringContaining('the compose service db builds its own PostgreSQL image from db/Dockerfile'));
    expect(conversion.warnings).toContainEqual(expect.stringContaining('add it to berth.yml as a service with `image: ghcr.io/acme/billing:2`'));
  });

  it('a service that runs the image another service builds shares that build', () => {
    const { yaml } = inMemory(`services:
  web:
    build: { context: ., target: app }
    image: shop:latest
    ports: ["8000:8000"]
  worker:
    image: shop:latest
    command: rq worker
  scheduler:
    image: shop:latest
    command: rq worker --with-scheduler
`, { Dockerfile: 'FROM python:3.12 AS app\nUSER app\nCMD ["python", "app.py"]\n' });
    expect(yaml).toMatchObject({
      build: { target: 'app' },
      services: { web: { port: 8000 }, worker: { kind: 'worker', command: ['rq', 'worker'] }, scheduler: { kind: 'worker' } },
    });
    expect((yaml.services as Record<string, Record<string, unknown>>).worker).not.toHaveProperty('build');
  });

  it('runs release.before with a service of the same image, and says what environment the migration lacks', () => {
    const { yaml, conversion } = inMemory(`services:
  web:
    build: ./web
    ports: ["3000:3000"]
  api:
    build: ./api
    expose: ["9000"]
  migrate:
    build: ./api
    command: alembic upgrade head
    environment:
      MIGRATION_LOCK_TIMEOUT: "30"
`, { 'web/Dockerfile': 'FROM node:20\nUSER node\n', 'api/Dockerfile': 'FROM python:3.12\nUSER app\n' });
    expect(yaml.release).toEqual({ before: { command: ['alembic', 'upgrade', 'head'], service: 'api' } });
    expect(conversion.notes).toContainEqual(expect.stringContaining('compose also gave migrate MIGRATION_LOCK_TIMEOUT'));
  });

  it('builds the folder\'s Dockerfile when the compose file runs only the dependencies', () => {
    const { yaml, conversion } = convert(projectFromRecord({
      'docker-compose.yml': 'services:\n  postgres:\n    image: postgres:17\n    ports: ["5432:5432"]\n',
      Dockerfile: 'FROM node:20\nEXPOSE 3000\nUSER node\nCMD ["node", "server.js"]\n',
      'package.json': '{"dependencies":{"express":"4","pg":"8"}}',
    }));
    expect(yaml).toMatchObject({ service: { port: 3000 }, database: { engine: 'postgres', version: '17' } });
    expect(conversion.outcomes.map((outcome) => `${outcome.compose}: ${outcome.became}`)).toEqual([
      'postgres: database: postgres 17 (postgres:17)',
      'Dockerfile: service: web service on port 3000, health /',
    ]);
    expect(conversion.notes).toContain('docker-compose.yml builds no service of the app, so berth builds Dockerfile as its web service');
  });

  it('turns a worker without ports into services even when it is the only one', () => {
    const { yaml } = inMemory('services:\n  consumer:\n    build: .\n    command: python consume.py\n');
    expect(yaml).toMatchObject({ services: { consumer: { kind: 'worker', command: ['python', 'consume.py'] } } });
    expect(yaml).not.toHaveProperty('service');
  });

  it('names the app from the compose project unless that name is generic, and after the folder otherwise', () => {
    expect(inMemory('name: billing\nservices:\n  web:\n    build: .\n    ports: ["80:80"]\n').conversion.draft.app).toBe('billing');
    expect(inMemory('name: app\nservices:\n  web:\n    build: .\n    ports: ["80:80"]\n').conversion.draft.app).toBe('shop');
    const generic = convert(projectFromRecord({ 'compose.yaml': 'services:\n  web:\n    build: .\n    ports: ["80:80"]\n', Dockerfile: 'FROM nginx\n' }), 'backend', 'billing');
    expect(generic.conversion.draft.app).toBe('billing-backend');
    expect(withAppName(generic.conversion, 'payments').reasons.app).toBe('set during `berth init`');
  });

  it('makes berth names of compose names', () => {
    expect(serviceNameFrom('Web_App')).toBe('web-app');
    expect(serviceNameFrom('1st.worker')).toBe('st-worker');
    expect(serviceNameFrom('a-very-long-service-name')).toBe('a-very-long-serv');
    expect(envNameFromSecret('db-password')).toBe('DB_PASSWORD');
    expect(envNameFromSecret('1key')).toBe('S_1KEY');
  });

  it('writes lines of at most 100 characters that parse back to the draft', () => {
    const { text, conversion } = fixture('compose-django-worker');
    expect(text.split('\n').every((line) => line.length <= 100)).toBe(true);
    const { app, env, secrets, services, release, database, cache } = conversion.draft;
    // `engine` alone is written in the short form: `cache: redis`.
    expect(parse(text)).toEqual({ version: 1, app, env, secrets, services, release, database, cache: cache && Object.keys(cache).length === 1 ? cache.engine : cache });
  });
});
