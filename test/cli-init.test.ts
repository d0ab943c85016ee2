/** End-to-end: the built CLI (`npm run build` first) runs `berth init` on copies of the fixture apps. */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../src/config/load.js';
import { berthJsonSchema } from '../src/config/schema.js';
import { primaryWebService } from '../src/model/index.js';

const web = (config: Parameters<typeof primaryWebService>[0]) => primaryWebService(config)!;

const BERTH = fileURLToPath(new URL('../bin/berth.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/apps/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'berth-init-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function berth(args: string[], cwd = work): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // stdin is a pipe, not a TTY: init must not ask anything.
    const child = spawn(process.execPath, [BERTH, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end();
  });
}

function copyFixture(name: string, as = name): string {
  const dir = join(work, as);
  mkdirSync(join(dir, '..'), { recursive: true });
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

describe('berth init --yes on each fixture app', () => {
  it.each([
    ['flask', 'Flask', 5000, '/healthz'],
    ['fastapi', 'FastAPI', 8000, '/health'],
    ['django', 'Django', 8000, '/health/'],
    ['express', 'Express', 3000, '/health'],
    ['nextjs', 'Next.js', 3000, '/api/health'],
    ['streamlit', 'Streamlit', 8501, '/_stcore/health'],
    ['rails', 'Rails', 3000, '/up'],
  ])('%s', async (name, frameworkName, port, healthPath) => {
    const dir = copyFixture(name);
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(0);
    // The fixtures are sound apps: notes (e.g. Django's root user) at most, no warnings.
    expect(result.stderr).not.toContain('warning:');
    expect(result.stdout).toContain(`framework    ${frameworkName} (`);
    expect(result.stdout).toContain(`port         ${port}: `);
    expect(result.stdout).toMatch(/✔ wrote .*berth\.yml/);
    expect(result.stdout).toContain('berth validate --config');

    const text = readFileSync(join(dir, 'berth.yml'), 'utf8');
    expect(text.startsWith('# yaml-language-server: $schema=.berth/schema.json\n')).toBe(true);
    expect(text).toContain(`# Found: ${frameworkName} (`);
    const config = loadConfig({ config: join(dir, 'berth.yml'), cwd: dir });
    expect(web(config).port).toBe(port);
    expect(web(config).health.path).toBe(healthPath);
    expect(JSON.parse(readFileSync(join(dir, '.berth', 'schema.json'), 'utf8'))).toEqual(berthJsonSchema());
  });
});

describe('berth init rules', () => {
  it('never replaces an existing berth.yml without --force, and replaces it with --force', async () => {
    const dir = copyFixture('fastapi', 'fastapi-overwrite');
    writeFileSync(join(dir, 'berth.yml'), 'app: mine\nservice: { port: 1234 }\n');
    const refused = await berth(['init', dir, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: .*berth\.yml already exists; berth init does not replace it$/m);
    expect(refused.stderr).toMatch(/^hint: .*--force/m);
    expect(refused.stderr).not.toMatch(STACK_TRACE);
    expect(readFileSync(join(dir, 'berth.yml'), 'utf8')).toBe('app: mine\nservice: { port: 1234 }\n');

    const forced = await berth(['init', dir, '--yes', '--force']);
    expect(forced.code).toBe(0);
    expect(web(loadConfig({ config: join(dir, 'berth.yml'), cwd: dir })).port).toBe(8000);
  });

  it('treats berth.yaml like berth.yml', async () => {
    const dir = copyFixture('express', 'express-yaml');
    writeFileSync(join(dir, 'berth.yaml'), 'app: mine\n');
    const result = await berth(['init', '--yes'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('berth.yaml already exists');
    expect(existsSync(join(dir, 'berth.yml'))).toBe(false);
  });

  it('asks nothing without a TTY, even without --yes, and works in the current folder', async () => {
    const dir = copyFixture('flask', 'flask-no-tty');
    const result = await berth(['init'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('Press Enter');
    expect(result.stdout).toContain('  berth validate  ');
    const validate = await berth(['validate'], dir);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('flask-no-tty (local) is valid');
  });

  it('without a Dockerfile: writes berth.yml, warns, and shows what validate will report', async () => {
    const dir = join(work, 'no-dockerfile');
    mkdirSync(dir);
    writeFileSync(join(dir, 'requirements.txt'), 'fastapi\nuvicorn\n');
    writeFileSync(join(dir, 'main.py'), 'from fastapi import FastAPI\napp = FastAPI()\n');
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: no Dockerfile in this folder/m);
    expect(result.stderr).toMatch(/berth validate will report:\n {2}.*berth\.yml:\d+:\d+: service\.build\.dockerfile: .*Dockerfile does not exist/);
    const text = readFileSync(join(dir, 'berth.yml'), 'utf8');
    expect(text).toContain('no Dockerfile yet');
    expect(text).toContain('port: 8000');
    const validate = await berth(['validate'], dir);
    expect(validate.code).toBe(2);
  });

  it('prints one JSON document with --json', async () => {
    const dir = copyFixture('nextjs', 'nextjs-json');
    const result = await berth(['init', dir, '--yes', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      file: join(dir, 'berth.yml'),
      valid: true,
      answers: { app: 'nextjs-json', port: 3000, healthPath: '/api/health', database: true, cache: false, secrets: ['OPENAI_API_KEY'] },
      findings: { framework: { name: 'Next.js' }, dockerfile: { path: 'Dockerfile', baseImage: 'node:20-alpine' } },
    });
  });

  it('refuses a folder that does not exist', async () => {
    const result = await berth(['init', join(work, 'missing'), '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*missing: not a folder$/m);
  });
});

describe('berth init --yes on each compose fixture', () => {
  it('flask + redis: one web service with its build stage, the cache, and the redis hostname in the code', async () => {
    const dir = copyFixture('compose-flask-redis');
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Read .*compose\.yaml:$/m);
    expect(result.stdout).toMatch(/^ {2}web {4}service: web service on port 8000, health \/$/m);
    expect(result.stdout).toMatch(/^ {2}redis {2}cache: redis \(redislabs\/redismod\)$/m);
    expect(result.stdout).toContain('  services.web.volumes (./app:/code): a bind mount of the source code');
    expect(result.stderr).toMatch(/^warning: app\/app\.py:5 connects to the host "redis" .*read REDIS_URL, which berth sets$/m);
    expect(result.stderr).toMatch(/^note: app\/Dockerfile needs BuildKit \(the `# syntax=docker\/dockerfile:1\.4` directive on line 1/m);
    const yaml = parse(readFileSync(join(dir, 'berth.yml'), 'utf8'));
    expect(yaml).toMatchObject({ app: 'compose-flask-redis', service: { port: 8000, build: { context: 'app', target: 'builder' } }, cache: 'redis' });
    const config = loadConfig({ config: join(dir, 'berth.yml'), cwd: dir });
    expect(config.services.map((service) => [service.name, service.kind])).toEqual([['web', 'web']]);
    expect(config.image.build).toMatchObject({ context: join(dir, 'app'), dockerfile: join(dir, 'app', 'Dockerfile'), target: 'builder' });
    expect(config.cache).not.toBeNull();
    expect(config.database).toBeNull();
  });

  it('fastapi + postgres: the database, the prestart migration, and secrets by name with their set commands', async () => {
    const dir = copyFixture('compose-fastapi-postgres');
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}prestart {2}release\.before: bash scripts\/prestart\.sh$/m);
    expect(result.stdout).toMatch(/^ {2}db {8}database: postgres 16 \(postgres:16-alpine\)$/m);
    expect(result.stdout).toMatch(/^ {2}SECRET_KEY {16}the value in \.env was left out$/m);
    expect(result.stdout).toMatch(/^ {2}berth secrets set SECRET_KEY --config \S+berth\.yml {2,}store its value/m);
    expect(result.stdout).toMatch(/^ {2}berth secrets set SENTRY_DSN --config /m);
    expect(result.stderr).toMatch(/^note: left out POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_SERVER, POSTGRES_PORT: they pointed at the compose service db/m);
    const text = readFileSync(join(dir, 'berth.yml'), 'utf8');
    for (const value of ['changethis-local-only', 'changethis-too', 'changethis-db']) expect(text + result.stdout + result.stderr).not.toContain(value);
    expect(parse(text)).toMatchObject({ app: 'ledger', release: { before: ['bash', 'scripts/prestart.sh'] }, database: { engine: 'postgres', version: '16' } });
    const config = loadConfig({ config: join(dir, 'berth.yml'), cwd: dir });
    expect(config.database?.version).toBe('16');
    expect(config.release.before).toEqual({ command: ['bash', 'scripts/prestart.sh'], service: 'web' });
    expect(web(config)).toMatchObject({ port: 8000, secrets: ['SECRET_KEY', 'FIRST_SUPERUSER_PASSWORD', 'SENTRY_DSN'], health: { path: '/api/v1/utils/health-check/', interval: 10, timeout: 5, unhealthyThreshold: 5 } });
  });

  it('django web + worker + migrate: services, shared env and secrets, release.before', async () => {
    const dir = copyFixture('compose-django-worker', 'shop');
    const result = await berth(['init', dir, '--yes', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      file: join(dir, 'berth.yml'),
      valid: true,
      app: { value: 'shop', reason: 'from the folder name' },
      compose: {
        file: 'docker-compose.yml',
        secrets: [{ name: 'SECRET_KEY', valueLeftOutFrom: 'docker-compose.yml' }, { name: 'STRIPE_API_KEY' }],
      },
    });
    expect(doc.compose.services.map((service: { became: string }) => service.became)).toEqual([
      'services.web: web service on port 8000, health /health/',
      'services.worker: worker (celery -A shop worker --loglevel=info)',
      'release.before: python manage.py migrate --noinput',
      'database: postgres 15 (postgres:15)',
      'cache: redis (redis:7-alpine)',
    ]);
    expect(doc.warnings).toEqual([expect.stringMatching(/^shop\/settings\.py:12 connects to the host "redis"/)]);
    const yaml = parse(readFileSync(join(dir, 'berth.yml'), 'utf8'));
    expect(Object.keys(yaml.services)).toEqual(['web', 'worker']);
    expect(yaml.services.worker.kind).toBe('worker');
    expect(yaml.secrets).toEqual(['SECRET_KEY', 'STRIPE_API_KEY']);
    const config = loadConfig({ config: join(dir, 'berth.yml'), cwd: dir });
    expect(config.services.map((service) => [service.name, service.kind, service.secrets, service.env.DJANGO_SETTINGS_MODULE])).toEqual([
      ['web', 'web', ['SECRET_KEY', 'STRIPE_API_KEY'], 'shop.settings'],
      ['worker', 'worker', ['SECRET_KEY', 'STRIPE_API_KEY'], 'shop.settings'],
    ]);
    expect(config.release.before).toEqual({ command: ['python', 'manage.py', 'migrate', '--noinput'], service: 'web' });
    expect(config.services[1]).toMatchObject({ health: { command: ['celery', '-A', 'shop', 'inspect', 'ping'] } });
    expect(config.database?.version).toBe('15');
    expect(config.cache).not.toBeNull();
  });

  it('flask + mariadb behind nginx: says mariadb and the proxy are not converted, and what to do instead', async () => {
    const dir = copyFixture('compose-flask-mysql');
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}db {7}not converted: a MySQL\/MariaDB database$/m);
    expect(result.stdout).toMatch(/^ {2}proxy {4}not converted: a reverse proxy in front of backend$/m);
    expect(result.stderr).toMatch(/^warning: compose\.yaml: db \(mariadb:10\.11\) is a MySQL\/MariaDB database, which berth does not run: berth runs PostgreSQL only/m);
    expect(result.stderr).toMatch(/^warning: backend reads the compose secret db-password from the file \/run\/secrets\/db-password/m);
    expect(result.stdout).toContain('  networks: berth puts every service on one network (a VPC on AWS)');
    const yaml = parse(readFileSync(join(dir, 'berth.yml'), 'utf8'));
    expect(yaml).not.toHaveProperty('database');
    expect(yaml.service).toMatchObject({ port: 8000, health: { path: '/health' }, secrets: ['DB_PASSWORD'], build: { context: 'backend', target: 'builder' } });
    expect(readFileSync(join(dir, 'berth.yml'), 'utf8')).not.toContain('db-78n9n');
    const config = loadConfig({ config: join(dir, 'berth.yml'), cwd: dir });
    expect(config.services.map((service) => service.name)).toEqual(['web']);
    expect(config.database).toBeNull();
    expect(config.image.build?.target).toBe('builder');
  });

  it('refuses a compose file that is not YAML, naming the line', async () => {
    const dir = join(work, 'broken-compose');
    mkdirSync(dir);
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    build: .\n   ports: [80]\n');
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*compose\.yaml:4: not valid YAML: /m);
    expect(existsSync(join(dir, 'berth.yml'))).toBe(false);
  });
});

describe('berth init: folders and names', () => {
  it('refuses a folder with no Dockerfile, compose file or app code, saying what it looked for', async () => {
    const dir = join(work, 'just-docs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'README.md'), '# notes\n');
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*just-docs: nothing berth can deploy here; berth init looked for a Dockerfile \(Dockerfile, Containerfile, Dockerfile\.\*\), a compose file \(compose\.yaml, compose\.yml, docker-compose\.yaml, docker-compose\.yml\), app code \(requirements\.txt/m);
    expect(result.stderr).toMatch(/^hint: run berth init in your app's folder/m);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(existsSync(join(dir, 'berth.yml'))).toBe(false);
  });

  it('names an app in a generic folder after its parent too, and says so', async () => {
    const dir = copyFixture('flask', join('shop', 'app'));
    const result = await berth(['init', dir, '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('app          shop-app: from the folder names "shop/app": "app" alone is a common folder name');
    expect(loadConfig({ config: join(dir, 'berth.yml'), cwd: dir }).app).toBe('shop-app');
  });
});
