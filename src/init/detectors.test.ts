import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../build/dockerfile.js';
import { appNameFromFolder } from './app-name.js';
import { detectBackingServices } from './backing-services.js';
import { readDependencies } from './dependencies.js';
import { findEnvReads, looksSecret } from './env-reads.js';
import { detectFramework } from './frameworks.js';
import { findHealthRoutes } from './health-routes.js';
import { findCodePort, listenWarnings } from './listen-address.js';
import { projectFromRecord } from './project-files.js';

describe('detectFramework', () => {
  const detect = (files: Record<string, string>, dockerfile?: string) => {
    const project = projectFromRecord(files);
    return detectFramework(readDependencies(project), project, dockerfile ? parseDockerfile(dockerfile) : undefined);
  };

  it.each([
    [{ 'requirements.txt': 'flask\ngunicorn\n' }, 'flask', 'flask in requirements.txt', 'gunicorn'],
    [{ 'requirements.txt': 'fastapi\nuvicorn[standard]\n' }, 'fastapi', 'fastapi in requirements.txt', 'uvicorn'],
    [{ Pipfile: '[packages]\ndjango = "*"\n' }, 'django', 'django in Pipfile', undefined],
    [{ 'requirements.txt': 'streamlit\nfastapi\n' }, 'streamlit', 'streamlit in requirements.txt', undefined],
    [{ 'package.json': '{"dependencies":{"express":"4","next":"14"}}' }, 'nextjs', 'next in package.json', undefined],
    [{ 'package.json': '{"dependencies":{"express":"4"}}' }, 'express', 'express in package.json', undefined],
    [{ Gemfile: 'gem "rails"\ngem "puma"\n' }, 'rails', 'rails in Gemfile', 'puma'],
  ])('%j -> %s', (files, id, reason, server) => {
    const found = detect(files);
    expect(found?.framework.id).toBe(id);
    expect(found?.reason).toBe(reason);
    expect(found?.server?.name).toBe(server);
  });

  it('prefers the framework of the ecosystem the Dockerfile builds on', () => {
    const files = { 'package.json': '{"dependencies":{"next":"14"}}', 'requirements.txt': 'fastapi\n' };
    expect(detect(files, 'FROM node:20\n')?.framework.id).toBe('nextjs');
    expect(detect(files, 'FROM python:3.12-slim\n')?.framework.id).toBe('fastapi');
  });

  it('falls back to tell-tale files and the Dockerfile command', () => {
    expect(detect({ 'manage.py': '' })).toMatchObject({ framework: { id: 'django' }, reason: 'manage.py in the folder' });
    expect(detect({ 'app.py': '' }, 'FROM python:3.12\nCMD ["streamlit", "run", "app.py"]\n')?.reason).toBe("streamlit in the Dockerfile's CMD/ENTRYPOINT (line 2)");
    expect(detect({ 'main.go': 'package main' })).toBeUndefined();
  });
});

describe('findHealthRoutes', () => {
  it.each([
    ['main.py', '@app.get("/health")\nasync def health(): ...', '/health', 'the route `@app.get("/health")` in main.py:1'],
    ['app.py', "x = 1\n@app.route('/healthz', methods=['GET'])\ndef h(): ...", '/healthz', "the route `@app.route('/healthz'` in app.py:2"],
    ['api/routes.py', '@router.api_route(path="/ping")\n', '/ping', 'the route `@router.api_route(path="/ping")` in api/routes.py:1'],
    ['mysite/urls.py', 'urlpatterns = [path("admin/", admin.site.urls), re_path(r"^healthz/?$", views.h)]', '/healthz', 'the route `re_path(r"^healthz/?$",` in mysite/urls.py:1'],
    ['server.ts', "router.get('/api/health', handler)", '/api/health', "the route `router.get('/api/health'` in server.ts:1"],
    ['config/routes.rb', 'Rails.application.routes.draw do\n  get "up" => "rails/health#show"\nend', '/up', 'the route `get "up"` in config/routes.rb:2'],
    ['app/api/health/route.ts', 'export function GET() {}', '/api/health', 'the Next.js route file app/api/health/route.ts'],
    ['src/app/(site)/healthz/route.js', 'export function GET() {}', '/healthz', 'the Next.js route file src/app/(site)/healthz/route.js'],
    ['pages/api/health.ts', 'export default function handler() {}', '/api/health', 'the Next.js route file pages/api/health.ts'],
  ])('%s', (file, text, path, reason) => {
    const [route] = findHealthRoutes(projectFromRecord({ [file]: text }));
    expect(route?.path).toBe(path);
    expect(route?.reason).toBe(reason);
  });

  it('ranks /health above /ping and /status, and ignores other routes, parameters and test files', () => {
    const project = projectFromRecord({
      'app.py': '@app.get("/status")\n@app.get("/ping")\n@app.get("/users/{id}")\n@app.get("/health")\n',
      'tests/test_app.py': '@app.get("/healthz")\n',
      'client.js': "const v = map.get('health');",
    });
    expect(findHealthRoutes(project).map((route) => route.path)).toEqual(['/health', '/ping', '/status']);
  });
});

describe('comments', () => {
  it('are not read as routes, environment reads or ports', () => {
    const project = projectFromRecord({
      'server.js': "// app.get('/health', h)\n/**\n * process.env.OLD_TOKEN\n */\nconst a = 1; // app.listen(9999)\napp.get('/ping', h);\n",
      'app.py': '# os.environ["OLD_API_KEY"]\nx = os.environ["NEW_API_KEY"]  # was OLD\n',
    });
    expect(findHealthRoutes(project).map((route) => route.path)).toEqual(['/ping']);
    expect(findEnvReads(project).map((read) => read.name)).toEqual(['NEW_API_KEY']);
    expect(findCodePort(project)).toBeUndefined();
  });
});

describe('findEnvReads and looksSecret', () => {
  it('finds environment reads in Python, JavaScript and Ruby', () => {
    const project = projectFromRecord({
      'app.py': 'import os\nA = os.environ["OPENAI_API_KEY"]\nB = os.getenv("LOG_LEVEL", "info")\nC = os.environ.get(\'SENTRY_DSN\')\n',
      'server.js': 'const { STRIPE_SECRET, PORT } = process.env;\nconst t = process.env["GITHUB_TOKEN"];\nconst u = process.env.NEXT_PUBLIC_URL;\n',
      'app/models/x.rb': 'ENV.fetch("SMTP_PASSWORD")\nENV["RAILS_LOG_LEVEL"]\n',
      'test/setup.js': 'process.env.TEST_ONLY_SECRET',
    });
    const reads = findEnvReads(project);
    // Files in path order, reads in the order they appear in each file.
    expect(reads.map((read) => read.name)).toEqual(['OPENAI_API_KEY', 'LOG_LEVEL', 'SENTRY_DSN', 'SMTP_PASSWORD', 'RAILS_LOG_LEVEL', 'STRIPE_SECRET', 'PORT', 'GITHUB_TOKEN', 'NEXT_PUBLIC_URL']);
    expect(reads[0]).toEqual({ name: 'OPENAI_API_KEY', file: 'app.py', line: 2, evidence: 'os.environ["OPENAI_API_KEY"]' });
    expect(reads.filter((read) => looksSecret(read.name)).map((read) => read.name)).toEqual(['OPENAI_API_KEY', 'SENTRY_DSN', 'SMTP_PASSWORD', 'STRIPE_SECRET', 'GITHUB_TOKEN']);
  });

  it('does not call public, platform or berth-provided names secrets', () => {
    for (const name of ['NEXT_PUBLIC_API_KEY', 'STRIPE_PUBLISHABLE_KEY', 'DATABASE_URL', 'REDIS_URL', 'PGPASSWORD', 'AWS_SECRET_ACCESS_KEY', 'KEYBOARD_LAYOUT', 'MONKEY', 'LOG_LEVEL', 'JWT_PUBLIC_KEY']) {
      expect({ name, secret: looksSecret(name) }).toEqual({ name, secret: false });
    }
    for (const name of ['SECRET_KEY', 'JWT_SECRET', 'API_KEY', 'SLACK_BOT_TOKEN', 'DB_PASSWORD', 'RAILS_MASTER_KEY', 'SENTRY_DSN', 'GOOGLE_CREDENTIALS']) {
      expect({ name, secret: looksSecret(name) }).toEqual({ name, secret: true });
    }
  });
});

describe('detectBackingServices', () => {
  const detect = (files: Record<string, string>) => {
    const project = projectFromRecord(files);
    return detectBackingServices(readDependencies(project), project);
  };

  it('proposes postgres for PostgreSQL drivers, and for ORMs configured for PostgreSQL', () => {
    expect(detect({ 'requirements.txt': 'psycopg[binary]\n' }).database?.reason).toBe('the PostgreSQL driver psycopg in requirements.txt');
    expect(detect({ 'package.json': '{"dependencies":{"pg":"8"}}' }).database?.reason).toBe('the PostgreSQL driver pg in package.json');
    expect(detect({ 'package.json': '{"devDependencies":{"prisma":"5"}}', 'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}' }).database?.reason)
      .toBe('prisma in package.json with provider = "postgresql" in prisma/schema.prisma');
    expect(detect({ 'requirements.txt': 'sqlalchemy\n', 'db.py': 'engine = create_engine("postgresql+psycopg://u@h/db")' }).database?.reason)
      .toBe('sqlalchemy in requirements.txt with a postgresql:// connection string in db.py');
  });

  it('does not propose postgres for an ORM on SQLite or MySQL, and says why for SQLite', () => {
    const sqlite = detect({ 'requirements.txt': 'flask-sqlalchemy\n', 'app.py': 'app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"' });
    expect(sqlite.database).toBeUndefined();
    expect(sqlite.notes[0]).toMatch(/^flask-sqlalchemy uses SQLite \(app\.py\): its file lives in the container and is lost on every deploy/);
    expect(detect({ 'package.json': '{"dependencies":{"prisma":"5"}}', 'prisma/schema.prisma': 'provider = "mysql"' }).database).toBeUndefined();
  });

  it('proposes redis for Redis clients', () => {
    expect(detect({ 'requirements.txt': 'redis==5\n' }).cache?.reason).toBe('redis in requirements.txt');
    expect(detect({ 'package.json': '{"dependencies":{"bullmq":"5"}}' }).cache?.reason).toBe('bullmq in package.json');
    expect(detect({ Gemfile: 'gem "sidekiq"\n' }).cache?.reason).toBe('sidekiq in Gemfile');
    expect(detect({ 'requirements.txt': 'flask\n' }).cache).toBeUndefined();
  });
});

describe('appNameFromFolder', () => {
  it.each([
    ['news-api', 'news-api', 'from the folder name'],
    ['News_API', 'news-api', 'from the folder name "News_API", made valid (lowercase letters, digits and hyphens)'],
    ['myCoolApp', 'my-cool-app', 'from the folder name "myCoolApp", made valid (lowercase letters, digits and hyphens)'],
    ['2024-café-backend', 'cafe-backend', 'from the folder name "2024-café-backend", made valid (lowercase letters, digits and hyphens)'],
    ['consultation-platform-frontend', 'consultation', 'from the folder name "consultation-platform-frontend", made valid (lowercase letters, digits and hyphens, shortened to 20 characters)'],
    ['abcdefghijklmnopqrstuvwxyz', 'abcdefghijklmnopqrst', 'from the folder name "abcdefghijklmnopqrstuvwxyz", made valid (lowercase letters, digits and hyphens, shortened to 20 characters)'],
  ])('%s -> %s', (folder, value, reason) => {
    expect(appNameFromFolder(folder)).toEqual({ value, reason });
  });

  it.each([
    ['app', 'shop', 'shop-app'],
    ['backend', 'consultation-platform', 'consultation-backend'],
    ['API', 'News Site', 'news-site-api'],
    ['frontend', 'a-very-long-parent-name-indeed', 'a-very-long-frontend'],
    ['src', 'x', 'x-src'],
  ])('a generic folder name %s in %s -> %s, and says why', (folder, parent, value) => {
    const found = appNameFromFolder(folder, parent);
    expect(found.value).toBe(value);
    expect(found.value.length).toBeLessThanOrEqual(20);
    expect(found.reason).toContain(`from the folder names "${parent}/${folder}": "${folder.toLowerCase()}" alone is a common folder name`);
  });

  it('keeps a generic name without a usable parent, and says to choose another', () => {
    expect(appNameFromFolder('app', '')).toEqual({ value: 'app', reason: 'from the folder name; "app" is a common folder name: choose a name no other project on this Docker engine or AWS account uses' });
    expect(appNameFromFolder('web', '2024').value).toBe('web');
    expect(appNameFromFolder('shop', 'work').value).toBe('shop');
  });

  it('uses a placeholder when nothing usable is left', () => {
    expect(appNameFromFolder('123').value).toBe('app');
    expect(appNameFromFolder('___').reason).toMatch(/placeholder, choose a name/);
  });
});

describe('findCodePort and listenWarnings', () => {
  it.each([
    ['server.js', 'app.listen(process.env.PORT || 4000)', 4000],
    ['index.ts', 'const port = Number(process.env.PORT ?? 8080);', 8080],
    ['main.py', 'uvicorn.run(app, host="0.0.0.0", port=8001)', 8001],
    ['app.py', 'port = int(os.environ.get("PORT", 5001))', 5001],
  ])('finds the port in %s', (file, text, port) => {
    expect(findCodePort(projectFromRecord({ [file]: text }))?.port).toBe(port);
  });

  it('warns when servers listen on 127.0.0.1 or run in development mode', () => {
    const warn = (dockerfile: string, files: Record<string, string> = {}) => listenWarnings(parseDockerfile(dockerfile), projectFromRecord(files));
    expect(warn('FROM python:3.12\nCMD ["uvicorn", "main:app", "--port", "8000"]\n')[0]).toMatch(/starts uvicorn without --host: it listens on 127\.0\.0\.1/);
    expect(warn('FROM python:3.12\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0"]\n')).toEqual([]);
    expect(warn('FROM python:3.12\nCMD gunicorn app:app\n')[0]).toMatch(/starts gunicorn without --bind/);
    expect(warn('FROM python:3.12\nCMD gunicorn app:app\n', { 'gunicorn.conf.py': 'bind = "0.0.0.0:8000"' })).toEqual([]);
    expect(warn('FROM python:3.12\nCMD ["flask", "run"]\n')[0]).toMatch(/flask run` without --host/);
    expect(warn('FROM python:3.12\nCMD python manage.py runserver\n')[0]).toMatch(/runserver on 127\.0\.0\.1/);
    expect(warn('FROM python:3.12\nCMD python manage.py runserver 0.0.0.0:8000\n')).toEqual([]);
    expect(warn('FROM node:20\nCMD ["npx", "next", "dev"]\n')[0]).toMatch(/runs `next dev`, the development server/);
  });
});
