import { describe, expect, it } from 'vitest';
import { checkBuildArgSecrets, checkEnvSecrets, checkExpose, checkImageArch, checkImageUser, checkSecretsSet, imageFacts } from './config-checks.js';
import { parseProcNetTcp, reachableFromOutside } from './listening-sockets.js';
import { probeVerdict } from './probe-verdict.js';
import { secretLooking } from '../config/secret-names.js';
import type { WebServiceSpec } from '../config/model.js';

function config(service: Record<string, unknown> = {}) {
  const web = {
      name: 'web',
      kind: 'web',
      route: {},
      ownImage: false,
      port: 8000,
      arch: 'x86_64',
      cpu: 256,
      memory: 512,
      env: {},
      secrets: [],
      health: { path: '/health', interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 60 },
      build: { context: '/app', dockerfile: '/app/Dockerfile', args: {} },
      ...service,
  };
  return {
    app: 'web',
    env: 'local',
    local: { port: 8080 },
    network: { tasks: 'public', egress: 'none', cidr: '10.0.0.0/16' },
    image: { build: web.build, ...('image' in service ? { image: service.image } : {}) },
    services: [web],
  } as never;
}

const AWS_KEY = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');

describe('secret-looking values', () => {
  it('warns about secret names and secret-shaped values without printing the value', () => {
    const result = checkEnvSecrets(config({ env: { LOG_LEVEL: 'info', STRIPE_SECRET_KEY: 'sk_live_51Habcdefghijkl', UPSTREAM: `key=${AWS_KEY}` } }));
    expect(result.status).toBe('warn');
    expect(result.message).toContain('STRIPE_SECRET_KEY, UPSTREAM');
    expect(JSON.stringify(result)).not.toContain('sk_live_51Habcdefghijkl');
    expect(JSON.stringify(result)).not.toContain(AWS_KEY);
    expect(result.fix).toContain('service.secrets');
  });

  it('passes plain settings and harmless values under secret-ish names', () => {
    expect(checkEnvSecrets(config({ env: { LOG_LEVEL: 'debug', WORKERS: '4', TOKEN_TTL: '3600' } })).status).toBe('pass');
    expect(secretLooking('DATABASE_URL', 'postgresql://app:hunter2@db:5432/app')).toBe('its value looks like a URL with a password');
    expect(secretLooking('PUBLIC_URL', 'https://example.com/path')).toBeUndefined();
  });

  it('flags AWS credentials in plain env (tasks have a role) but not browser-public names', () => {
    const result = checkEnvSecrets(config({ env: { AWS_SECRET_ACCESS_KEY: 'abc/def', NEXT_PUBLIC_STRIPE_KEY: 'pk_live_x', JWKS_PUBLIC_KEY_URL: 'https://id.example.com/jwks' } }));
    expect(result.status).toBe('warn');
    expect(result.message).toContain('service.env sets AWS_SECRET_ACCESS_KEY, which looks secret');
  });

  it('warns about build arguments that look secret', () => {
    expect(checkBuildArgSecrets(config({ build: { context: '/a', dockerfile: '/a/Dockerfile', args: { NEXT_PUBLIC_URL: 'x', NPM_TOKEN: 'y' } } }))).toMatchObject({ status: 'warn', message: expect.stringContaining('NPM_TOKEN') });
    expect(checkBuildArgSecrets(config({ build: { context: '/a', dockerfile: '/a/Dockerfile', args: { NODE_ENV: 'production' } } })).status).toBe('pass');
  });
});

describe('what the Dockerfile says', () => {
  const dockerfile = { file: 'Dockerfile', args: ['NODE_VERSION', 'NPM_TOKEN'], platformPins: [{ platform: 'linux/arm64', line: 1 }] };

  it('warns about secret-looking ARG names in the Dockerfile', () => {
    const result = checkBuildArgSecrets(config(), dockerfile);
    expect(result.status).toBe('warn');
    expect(result.message).toContain('NPM_TOKEN (ARG in Dockerfile)');
    expect(result.message).not.toContain('NODE_VERSION');
  });

  it('points at the FROM line that pins the other platform', () => {
    const arm = imageFacts({ Architecture: 'arm64', Os: 'linux', Config: {} });
    expect(checkImageArch(config(), arm, dockerfile).fix).toBe('remove --platform=linux/arm64 from Dockerfile:1 so berth builds for linux/amd64, or set service.arch: arm64');
  });
});

describe('declared secrets', () => {
  it('fails naming the secrets without values, with the command to set them', () => {
    const result = checkSecretsSet(config({ secrets: ['API_KEY', 'SESSION_SECRET'] }), ['SESSION_SECRET'], 'local secret store');
    expect(result).toMatchObject({ status: 'fail', fix: 'berth secrets set SESSION_SECRET --env local' });
  });
  it('warns when the store cannot be read', () => {
    expect(checkSecretsSet(config({ secrets: ['API_KEY'] }), undefined, 'local secret store').status).toBe('warn');
  });
});

describe('image facts', () => {
  const facts = imageFacts({ Architecture: 'arm64', Os: 'linux', Config: { User: '', ExposedPorts: { '5000/tcp': {}, '53/udp': {} } } });

  it('fails an image for the other architecture', () => {
    expect(checkImageArch(config(), facts)).toMatchObject({ status: 'fail', message: expect.stringContaining('linux/arm64, but service.arch is x86_64') });
    expect(checkImageArch(config({ arch: 'arm64' }), facts).status).toBe('pass');
  });

  it('warns when EXPOSE disagrees with service.port', () => {
    const web = (c: unknown) => (c as { services: WebServiceSpec[] }).services[0]!;
    expect(checkExpose(config(), facts, web(config()))).toMatchObject({ id: 'expose-port', status: 'warn', fix: expect.stringContaining('service.port: 5000') });
    expect(checkExpose(config({ port: 5000 }), facts, web(config({ port: 5000 }))).status).toBe('pass');
  });

  it('warns about root, by name or uid', () => {
    expect(checkImageUser(facts).status).toBe('warn');
    expect(checkImageUser({ ...facts, user: '0:0' }).status).toBe('warn');
    expect(checkImageUser({ ...facts, user: 'app' }).status).toBe('pass');
  });
});

describe('listening sockets', () => {
  const tcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 100 0 0 10 0',
    '   2: 020015AC:1388 010015AC:A2C4 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0000000000000000 20 4 30 10 -1',
  ].join('\n');

  it('reads listening ports and addresses from /proc/net/tcp', () => {
    expect(parseProcNetTcp(tcp)).toEqual([{ address: '0.0.0.0', port: 5000 }, { address: '127.0.0.1', port: 8000 }]);
    const tcp6 = 'header\n   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 1 1';
    expect(parseProcNetTcp(tcp6)).toEqual([{ address: '::', port: 8000 }]);
    expect(reachableFromOutside({ address: '127.0.0.1', port: 8000 })).toBe(false);
  });
});

describe('probe verdicts', () => {
  const context = { config: config(), placeholders: [] };

  it('says which port the app listens on instead', () => {
    const [, port] = probeVerdict({ kind: 'wrong-port', ports: [5000] }, context);
    expect(port).toMatchObject({ id: 'container-port', status: 'fail', message: 'the app listens on port 5000, not on service.port 8000: the health checks to port 8000 get no answer' });
    expect(port!.fix).toMatch(/^Set service\.port: 5000 in berth\.yml, or make the app listen on 0\.0\.0\.0:8000/);
  });

  it('says when the app listens on loopback only', () => {
    const [, port] = probeVerdict({ kind: 'loopback-only', sockets: [{ address: '127.0.0.1', port: 8000 }] }, context);
    expect(port!.message).toContain('127.0.0.1:8000 only');
    expect(port!.fix).toContain('0.0.0.0:8000');
  });

  it('explains a crash through the table of known failures, with placeholders named', () => {
    const [runs] = probeVerdict({ kind: 'exited', exitCode: 137, oomKilled: true, seconds: 2, logTail: ['Killed'] }, { ...context, placeholders: ['API_KEY'] });
    expect(runs).toMatchObject({ id: 'container-runs', status: 'fail' });
    expect(runs!.message).toContain('declared secret without a value here got a placeholder: API_KEY');
    expect(runs!.message).toContain('more than its 512 MiB');
  });

  it('reports silence on the port after the grace period', () => {
    const [, port] = probeVerdict({ kind: 'not-listening', seconds: 60, logTail: [], exposedPorts: [3000] }, context);
    expect(port!.message).toBe('nothing listened on port 8000 within the 60s grace period (the image exposes 3000)');
  });
});
