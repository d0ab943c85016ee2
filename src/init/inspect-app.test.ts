import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../config/load.js';
import { chooseDockerfile, inspectApp } from './inspect-app.js';
import { projectFromRecord } from './project-files.js';
import { parsers } from './prompt-answers.js';
import { defaultAnswers, renderBerthYml } from './render-berth-yml.js';
import { scanProject } from './scan-project.js';
import { primaryWebService } from '../model/index.js';

const web = (config: Parameters<typeof primaryWebService>[0]) => primaryWebService(config)!;

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/apps/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'berth-init-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Render berth.yml for a copy of a fixture (or in-memory files) and load it as every command will. */
function initInto(dir: string, folderName: string) {
  const inspection = inspectApp(scanProject(dir), { folderName });
  const text = renderBerthYml(inspection, defaultAnswers(inspection), { schemaPath: '.berth/schema.json' });
  writeFileSync(join(dir, 'berth.yml'), text);
  return { inspection, text, config: loadConfig({ config: join(dir, 'berth.yml'), cwd: dir }) };
}

function fixture(name: string, copyName = name) {
  const dir = join(work, copyName);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return initInto(dir, name);
}

describe('inspectApp on the fixture apps', () => {
  it.each([
    // name, framework, port, port reason, health path, database, cache, secrets
    ['flask', 'Flask', 5000, 'from `--bind 0.0.0.0:5000` in the Dockerfile command (line 9)', '/healthz', true, true, ['MAIL_API_KEY']],
    ['fastapi', 'FastAPI', 8000, 'from `--port 8000` in the Dockerfile command (line 13)', '/health', true, false, ['NEWSAPI_KEY']],
    ['django', 'Django', 8000, 'from `--bind 0.0.0.0:8000` in the Dockerfile command (line 9)', '/health/', true, false, ['DJANGO_SECRET_KEY']],
    ['express', 'Express', 3000, 'from EXPOSE 3000 in Dockerfile (line 8)', '/health', false, true, ['STRIPE_SECRET']],
    ['nextjs', 'Next.js', 3000, 'from EXPOSE 3000 in Dockerfile (line 23)', '/api/health', true, false, ['OPENAI_API_KEY']],
    ['streamlit', 'Streamlit', 8501, 'from `--server.port=8501` in the Dockerfile command (line 12)', '/_stcore/health', false, false, ['OPENWEATHER_API_KEY']],
    ['rails', 'Rails', 3000, 'from EXPOSE 3000 in Dockerfile (line 26)', '/up', true, true, ['SENDGRID_API_KEY', 'RAILS_MASTER_KEY']],
  ] as const)('%s', (name, frameworkName, port, portReason, healthPath, database, cache, secrets) => {
    const { inspection, text, config } = fixture(name);
    expect(inspection.framework?.framework.name).toBe(frameworkName);
    expect(inspection.port).toEqual({ value: port, reason: portReason, guessed: false });
    expect(inspection.healthPath.value).toBe(healthPath);
    expect(inspection.warnings).toEqual([]);
    // The written file validates and says what was found.
    expect(web(config).port).toBe(port);
    expect(web(config).health.path).toBe(healthPath);
    expect(config.database !== null).toBe(database);
    expect(config.cache !== null).toBe(cache);
    expect(web(config).secrets).toEqual(secrets);
    expect(config.app).toBe(name);
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=.berth/schema.json');
    expect(text).toContain(`# Found: ${frameworkName} (`);
    expect(text).toContain(`# ${port}: ${portReason}.`);
  });

  it('carries the Dockerfile HEALTHCHECK timing over (FastAPI) and sets sticky sessions for Streamlit', () => {
    expect(web(fixture('fastapi', 'fastapi-timing').config).health).toMatchObject({ interval: 15, timeout: 3, unhealthyThreshold: 4, gracePeriod: 20 });
    expect(web(fixture('streamlit', 'streamlit-sticky').config).stickySessions).toBe(3600);
  });
});

describe('inspectApp special cases', () => {
  const inspect = (files: Record<string, string>, folderName = 'my-app') => inspectApp(projectFromRecord(files), { folderName });

  it('without a Dockerfile: warns, uses the framework default port and still renders a file', () => {
    const inspection = inspect({ 'requirements.txt': 'flask\n', 'app.py': 'from flask import Flask\n' });
    expect(inspection.dockerfile).toBeUndefined();
    expect(inspection.port).toEqual({ value: 5000, reason: "Flask's default port (flask run); nothing in the folder names another", guessed: false });
    expect(inspection.warnings[0]).toMatch(/^no Dockerfile in this folder: .*`berth validate` fails until you add it/);
    expect(inspection.healthPath).toMatchObject({ value: '/', fromDefault: true });
    expect(renderBerthYml(inspection, defaultAnswers(inspection), { schemaPath: '.berth/schema.json' })).toContain('no Dockerfile yet');
  });

  it('guesses 8080 and says so when nothing names a port', () => {
    const inspection = inspect({ Dockerfile: 'FROM alpine\nCMD ["./server"]\n' });
    expect(inspection.port).toMatchObject({ value: 8080, guessed: true });
    expect(inspection.warnings).toContain(inspection.port.reason);
  });

  it('prefers the server flag to EXPOSE and warns about the mismatch', () => {
    const inspection = inspect({ Dockerfile: 'FROM python:3.12\nEXPOSE 8000\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8080"]\n', 'requirements.txt': 'fastapi\n' });
    expect(inspection.port.value).toBe(8080);
    expect(inspection.warnings).toEqual(['Dockerfile says EXPOSE 8000 (line 2) but the server listens on 8080; berth uses 8080 — update EXPOSE to match']);
  });

  it('warns when the code listens elsewhere than the Dockerfile says', () => {
    const inspection = inspect({ Dockerfile: 'FROM node:20\nEXPOSE 3000\nCMD ["node", "server.js"]\n', 'server.js': 'app.listen(4000)', 'package.json': '{"dependencies":{"express":"4"}}' });
    expect(inspection.port.value).toBe(3000);
    expect(inspection.warnings[0]).toMatch(/^server\.js:1 listens on 4000 \(`\.listen\(4000`\) but berth uses 3000/);
  });

  it('warns about a secret baked into the image with ENV', () => {
    const inspection = inspect({ Dockerfile: 'FROM node:20\nENV STRIPE_SECRET=sk_live_x\nEXPOSE 3000\n', 'server.js': 'const s = process.env.STRIPE_SECRET;' });
    expect(inspection.secrets.map((secret) => secret.value)).toEqual(['STRIPE_SECRET']);
    expect(inspection.warnings).toContain('Dockerfile sets ENV STRIPE_SECRET: a value in ENV stays in the image for anyone who pulls it; remove it there, berth injects it as a secret');
  });

  it('notes a root user, and the Streamlit sticky sessions', () => {
    const inspection = inspect({ Dockerfile: 'FROM python:3.12\nEXPOSE 8501\n', 'requirements.txt': 'streamlit\n' });
    expect(inspection.notes[0]).toMatch(/^the image runs as root \(no USER in the final stage of Dockerfile\)/);
    expect(inspection.stickySessions?.value).toBe('1h');
    expect(inspection.healthPath.value).toBe('/_stcore/health');
  });

  it('lists other variables the code reads for service.env, leaving out platform ones', () => {
    const inspection = inspect({ 'app.py': 'os.getenv("LOG_LEVEL")\nos.getenv("PORT")\nos.getenv("FEATURE_FLAGS")\nos.environ["DATABASE_URL"]\n' });
    expect(inspection.otherEnv).toEqual(['LOG_LEVEL', 'FEATURE_FLAGS']);
    expect(inspection.notes.some((note) => note.startsWith('the code reads DATABASE_URL (app.py:4) but no PostgreSQL driver was found'))).toBe(true);
  });

  it('says when the Dockerfile needs BuildKit, and when the code connects to a compose hostname', () => {
    const inspection = inspect({
      Dockerfile: '# syntax=docker/dockerfile:1\nFROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install flask redis\nUSER app\nCMD ["flask", "run", "--host", "0.0.0.0"]\n',
      'requirements.txt': 'flask\nredis\n',
      'app.py': 'from redis import Redis\nredis = Redis(host="redis", port=6379)\n',
    });
    expect(inspection.notes).toContainEqual(expect.stringMatching(/^Dockerfile needs BuildKit \(the `# syntax=docker\/dockerfile:1` directive on line 1, RUN --mount on line 3\): Docker 23 and later build with BuildKit by default/));
    expect(inspection.warnings).toContain('app.py:2 connects to the host "redis" (`redis = Redis(host="redis", port=6379)`): that name exists only on a docker compose network; read REDIS_URL, which berth sets');
    expect(inspectApp(projectFromRecord({ 'app.py': 'Redis(host="redis")\n' }), { folderName: 'x', hostnames: false }).warnings).not.toContainEqual(expect.stringContaining('redis'));
  });

  it('reads the Dockerfile, stage and port it is given (from a compose file)', () => {
    const inspection = inspectApp(projectFromRecord({
      'docker/Dockerfile.web': 'FROM node:20 AS web\nEXPOSE 3000\nUSER node\nFROM web AS dev\nUSER root\n',
      'package.json': '{"dependencies":{"express":"4"}}',
    }), { folderName: 'x', dockerfile: 'docker/Dockerfile.web', target: 'web', port: { value: 4000, reason: 'the container port of ports "80:4000" in compose.yaml' } });
    expect(inspection.dockerfile?.info.finalStage?.name).toBe('web');
    expect(inspection.port).toEqual({ value: 4000, reason: 'the container port of ports "80:4000" in compose.yaml', guessed: false });
    expect(inspection.notes.filter((note) => note.includes('runs as root'))).toEqual([]);
    expect(inspection.notes.filter((note) => note.startsWith('using '))).toEqual([]);
  });

  it('uses a Dockerfile in a subfolder and names it in service.build', () => {
    expect(chooseDockerfile(['docker/Dockerfile', 'Dockerfile.dev', 'api.Dockerfile'])).toBe('api.Dockerfile');
    expect(chooseDockerfile(['Dockerfile.dev', 'docker/Dockerfile'])).toBe('docker/Dockerfile');
    expect(chooseDockerfile(['Dockerfile.prod', 'Dockerfile'])).toBe('Dockerfile');
    expect(chooseDockerfile(['a/b/c/Dockerfile'])).toBeUndefined();

    const dir = join(work, 'subfolder-dockerfile');
    mkdirSync(join(dir, 'docker'), { recursive: true });
    writeFileSync(join(dir, 'docker', 'Dockerfile'), 'FROM node:20\nEXPOSE 3000\nUSER node\n');
    writeFileSync(join(dir, 'package.json'), '{"dependencies":{"express":"4"}}');
    const { config, text } = initInto(dir, 'subfolder-dockerfile');
    expect(web(config).build?.dockerfile).toBe(join(dir, 'docker', 'Dockerfile'));
    expect(parse(text).service.build).toEqual({ dockerfile: 'docker/Dockerfile' });
  });
});

describe('frameworkHealthNotes', () => {
  const notes = (files: Record<string, string>) => inspectApp(projectFromRecord(files), { folderName: 'x' }).notes.filter((note) => !note.startsWith('the image runs as root'));

  it('warns about Django ALLOWED_HOSTS that reject the health check Host', () => {
    expect(notes({ 'requirements.txt': 'django\n', 'mysite/settings.py': 'ALLOWED_HOSTS = ["example.com"]\n' })[0]).toMatch(/^mysite\/settings\.py limits ALLOWED_HOSTS: Django answers 400/);
    expect(notes({ 'requirements.txt': 'django\n', 'mysite/settings.py': 'ALLOWED_HOSTS = ["*"]\n' })).toEqual([]);
  });

  it('warns about Rails host authorization and force_ssl on the health path', () => {
    const production = 'Rails.application.configure do\n  config.force_ssl = true\n  config.hosts << "example.com"\n  # config.ssl_options = {}\nend\n';
    const found = notes({ Gemfile: 'gem "rails"\n', 'config/routes.rb': 'get "up" => "rails/health#show"', 'config/environments/production.rb': production });
    expect(found).toEqual([
      'config/environments/production.rb sets config.hosts: Rails answers 403 to health checks that use the task\'s IP as Host; add config.host_authorization = { exclude: ->(request) { request.path == "/up" } }',
      'config/environments/production.rb sets force_ssl: health checks over HTTP get a redirect, not 200; add config.ssl_options = { redirect: { exclude: ->(request) { request.path == "/up" } } }',
    ]);
  });
});

describe('renderBerthYml with changed answers', () => {
  it('says which values were set during berth init, and comments out what was turned off', () => {
    const inspection = inspectApp(scanProject(join(FIXTURES, 'rails')), { folderName: 'rails' });
    const text = renderBerthYml(inspection, { app: 'bookings', port: 3000, healthPath: '/health', database: false, cache: true, secrets: ['SENDGRID_API_KEY', 'OTHER_TOKEN'] }, { schemaPath: '.berth/schema.json' });
    const data = parse(text);
    expect(data).toMatchObject({ app: 'bookings', service: { port: 3000, health: { path: '/health' }, secrets: ['SENDGRID_API_KEY', 'OTHER_TOKEN'] }, cache: 'redis' });
    expect(data.database).toBeUndefined();
    expect(text).toContain('# bookings: set during `berth init`.');
    expect(text).toContain('# /health: set during `berth init`.');
    expect(text).toContain('# OTHER_TOKEN: set during `berth init`.');
    expect(text).toContain('# Turned off during `berth init` (found: the PostgreSQL driver pg in Gemfile).');
    expect(text.split('\n').every((line) => line.length <= 100)).toBe(true);
  });
});

describe('prompt answer parsers', () => {
  it('keep the found value on Enter and reject what berth.yml would reject', () => {
    expect(parsers.app('news-api')('')).toEqual({ value: 'news-api' });
    expect(parsers.app('news-api')('News API')).toMatch(/lowercase letters/);
    expect(parsers.port(8000)('')).toEqual({ value: 8000 });
    expect(parsers.port(8000)('8080')).toEqual({ value: 8080 });
    expect(parsers.port(8000)('80a')).toBe('enter a port from 1 to 65535');
    expect(parsers.port(8000)('70000')).toBe('enter a port from 1 to 65535');
    expect(parsers.healthPath('/')('health')).toMatch(/starting with "\/"/);
    expect(parsers.secrets(['A'])('')).toEqual({ value: ['A'] });
    expect(parsers.secrets(['A'])('-')).toEqual({ value: [] });
    expect(parsers.secrets([])('API_KEY, OTHER_TOKEN API_KEY')).toEqual({ value: ['API_KEY', 'OTHER_TOKEN'] });
    expect(parsers.secrets([])('my-key')).toMatch(/^my-key: secret names are letters, digits and _/);
  });
});
