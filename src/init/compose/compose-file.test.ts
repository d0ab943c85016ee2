import { describe, expect, it } from 'vitest';
import { projectFromRecord } from '../project-files.js';
import { ComposeFileError, findComposeFile, joinRelative, normalizeRelativePath, parseComposeFile } from './compose-file.js';

const parse = (text: string, files: Record<string, string> = {}) => parseComposeFile(text, 'compose.yaml', projectFromRecord({ 'compose.yaml': text, ...files }));
const service = (text: string, files: Record<string, string> = {}) => parse(text, files).services[0]!;

describe('findComposeFile', () => {
  it('takes the names in docker compose order, at the top of the folder only', () => {
    expect(findComposeFile(['docker-compose.yml', 'compose.yaml'])).toBe('compose.yaml');
    expect(findComposeFile(['docker-compose.yml', 'docker-compose.yaml'])).toBe('docker-compose.yaml');
    expect(findComposeFile(['compose.yml'])).toBe('compose.yml');
    expect(findComposeFile(['deploy/compose.yaml', 'Dockerfile'])).toBeUndefined();
  });
});

describe('paths', () => {
  it('normalizes relative paths the way berth.yml writes them', () => {
    expect(normalizeRelativePath('./backend/')).toBe('backend');
    expect(normalizeRelativePath('.')).toBe('.');
    expect(normalizeRelativePath('a/../b')).toBe('b');
    expect(normalizeRelativePath('../shared')).toBe('../shared');
    expect(joinRelative('backend', '../.env')).toBe('.env');
    expect(joinRelative('.', 'Dockerfile')).toBe('Dockerfile');
  });
});

describe('parseComposeFile', () => {
  it('reads ports in the short and long syntax, keeping the container port', () => {
    const ports = service(`services:
  web:
    build: .
    ports:
      - "8080:8000"
      - 127.0.0.1:9000:9001
      - 3000
      - "5000-5001:5000-5001"
      - "53:53/udp"
      - target: 7000
        published: "7001"
        host_ip: 0.0.0.0
`).ports;
    expect(ports.map((port) => [port.container, port.published, port.hostIp, port.protocol])).toEqual([
      [8000, '8080', undefined, 'tcp'],
      [9001, '9000', '127.0.0.1', 'tcp'],
      [3000, undefined, undefined, 'tcp'],
      [5000, '5000-5001', undefined, 'tcp'],
      [53, '53', undefined, 'udp'],
      [7000, '7001', '0.0.0.0', 'tcp'],
    ]);
  });

  it('reads environment in list and map form, env_file under it, values interpolated from .env', () => {
    const web = service(`services:
  web:
    build: .
    env_file: [common.env, { path: missing.env, required: false }]
    environment:
      LOG_LEVEL: \${LOG_LEVEL:-info}
      WORKERS: 4
      DEBUG: false
      FROM_SHELL:
      SHARED: from-environment
      SECRET_KEY: \${SECRET_KEY?set it}
`, { '.env': 'SECRET_KEY=s3cret\n', 'common.env': 'SHARED=from-env-file\nREGION=eu-west-1\n' });
    expect(web.envFiles).toEqual([{ path: 'common.env', required: true, found: true }, { path: 'missing.env', required: false, found: false }]);
    expect(web.environment.map((variable) => [variable.name, variable.value, variable.source])).toEqual([
      ['REGION', 'eu-west-1', 'common.env'],
      ['LOG_LEVEL', 'info', 'environment'],
      ['WORKERS', '4', 'environment'],
      ['DEBUG', 'false', 'environment'],
      ['FROM_SHELL', undefined, 'environment'],
      ['SHARED', 'from-environment', 'environment'],
      ['SECRET_KEY', 's3cret', 'environment'],
    ]);
    expect(web.environment.find((variable) => variable.name === 'SECRET_KEY')).toMatchObject({ fromDotEnv: ['SECRET_KEY'], missing: [], raw: '${SECRET_KEY?set it}' });

    const list = service('services:\n  web:\n    build: .\n    environment:\n      - A=1\n      - B=x=y\n      - C\n      - D=${NOPE}\n');
    expect(list.environment.map((variable) => [variable.name, variable.value, variable.missing])).toEqual([['A', '1', []], ['B', 'x=y', []], ['C', undefined, []], ['D', '', ['NOPE']]]);
  });

  it('reads commands as lists or as strings split like a shell would', () => {
    expect(service('services:\n  w:\n    build: .\n    command: ["celery", "-A", "app", "worker"]\n').command).toEqual({ words: ['celery', '-A', 'app', 'worker'] });
    expect(service('services:\n  w:\n    build: .\n    command: sh -c "python manage.py migrate && gunicorn app" \n').command).toEqual({
      words: ['sh', '-c', 'python manage.py migrate && gunicorn app'],
      text: 'sh -c "python manage.py migrate && gunicorn app"',
    });
    expect(service("services:\n  w:\n    build: .\n    entrypoint: /entry.sh --flag='a b'\n").entrypoint?.words).toEqual(['/entry.sh', '--flag=a b']);
  });

  it('reads health checks in every form', () => {
    const check = (test: string) => service(`services:\n  w:\n    build: .\n    healthcheck:\n      test: ${test}\n      interval: 1m30s\n      timeout: 5s\n      retries: 4\n      start_period: 20s\n`).healthcheck;
    expect(check('["CMD", "curl", "-f", "http://localhost:8000/health"]')).toEqual({ disabled: false, shell: false, words: ['curl', '-f', 'http://localhost:8000/health'], text: 'CMD curl -f http://localhost:8000/health', interval: 90, timeout: 5, retries: 4, startPeriod: 20 });
    expect(check('["CMD-SHELL", "curl -f http://localhost/ || exit 1"]')).toMatchObject({ shell: true, text: 'curl -f http://localhost/ || exit 1', words: ['curl', '-f', 'http://localhost/', '||', 'exit', '1'] });
    expect(check('wget -qO- http://localhost:3000/api/health')).toMatchObject({ shell: true, words: ['wget', '-qO-', 'http://localhost:3000/api/health'] });
    expect(check('["NONE"]')).toMatchObject({ disabled: true });
    expect(service('services:\n  w:\n    build: .\n    healthcheck:\n      disable: true\n').healthcheck).toMatchObject({ disabled: true });
  });

  it('reads depends_on, volumes, build, deploy, restart and platform', () => {
    const web = service(`services:
  web:
    build:
      context: ./backend/
      dockerfile: docker/Dockerfile.prod
      target: runtime
      args: [NODE_ENV=production, FROM_SHELL]
      cache_from: [x]
    image: shop/web:latest
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
      cache:
    volumes:
      - .:/app
      - uploads:/app/uploads
      - /tmp/cache
      - type: bind
        source: ./config
        target: /etc/app
    deploy:
      replicas: 3
      resources: { limits: { cpus: "0.5", memory: 512M } }
      restart_policy: { condition: on-failure }
    restart: "no"
    platform: linux/arm64
`);
    expect(web.build).toEqual({ context: 'backend', dockerfile: 'docker/Dockerfile.prod', target: 'runtime', args: { NODE_ENV: 'production' }, argsFromShell: ['FROM_SHELL'], otherKeys: ['cache_from'], remote: false });
    expect(web.image).toBe('shop/web:latest');
    expect(web.dependsOn).toEqual([
      { service: 'db', condition: 'service_healthy' },
      { service: 'migrate', condition: 'service_completed_successfully' },
      { service: 'cache', condition: 'service_started' },
    ]);
    expect(web.volumes.map((volume) => [volume.kind, volume.source, volume.target])).toEqual([
      ['bind', '.', '/app'], ['volume', 'uploads', '/app/uploads'], ['anonymous', undefined, '/tmp/cache'], ['bind', './config', '/etc/app'],
    ]);
    expect(web).toMatchObject({ replicas: 3, limits: { cpus: '0.5', memory: '512M' }, deployKeys: ['resources', 'restart_policy'], restart: 'no', platform: 'linux/arm64' });
    expect(service('services:\n  w:\n    build: https://github.com/docker/example.git#main\n').build).toMatchObject({ remote: true, context: 'https://github.com/docker/example.git#main' });
    expect(service('services:\n  w:\n    image: x\n    scale: 2\n').replicas).toBe(2);
  });

  it('applies YAML anchors, merge keys and extends within the file', () => {
    const project = parse(`x-env: &env
  LOG_LEVEL: info
services:
  base:
    build: .
    environment:
      <<: *env
      A: "1"
  worker:
    extends: { service: base }
    command: ["run"]
    environment:
      B: "2"
`);
    expect(project.services[1]!.environment.map((variable) => variable.name)).toEqual(['LOG_LEVEL', 'A', 'B']);
    expect(project.services[1]!.build?.context).toBe('.');
    expect(project.topLevelKeys).toEqual(['x-env']);
  });

  it('keeps the file facts: name, service lines, top-level keys and secrets', () => {
    const project = parse(`name: shop
version: "3.9"
services:
  web:
    build: .

  worker:
    build: .
secrets:
  db-password:
    file: ./db/password.txt
networks:
  back:
`);
    expect(project.name).toBe('shop');
    expect(project.services.map((item) => [item.name, item.line])).toEqual([['web', 4], ['worker', 7]]);
    expect(project.topLevelKeys).toEqual(['version', 'secrets', 'networks']);
    expect(project.secrets).toEqual({ 'db-password': { file: './db/password.txt' } });
  });

  it('says where the file is broken', () => {
    expect(() => parse('services:\n  web:\n    build: .\n   ports: [1]\n')).toThrow(ComposeFileError);
    expect(() => parse('services:\n  web:\n    build: .\n   ports: [1]\n')).toThrow(/^compose\.yaml:4: not valid YAML: /);
    expect(() => parse('version: "3"\n')).toThrow('compose.yaml: has no `services:` mapping, so there is nothing to convert');
  });
});
