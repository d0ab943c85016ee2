import { describe, expect, it } from 'vitest';
import type { DiagnoseConfig } from './diagnose.js';
import { probeVerdict, type ProbeContext } from './probe-verdict.js';

const config: DiagnoseConfig = {
  app: 'news-api',
  env: 'local',
  services: [{
    name: 'web',
    kind: 'web',
    route: {},
    ownImage: false,
    port: 8000,
    health: { path: '/health', interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 60 },
    cpu: 512,
    memory: 1024,
    arch: 'x86_64',
    count: { min: 2, max: 2, schedule: [] },
    env: {},
    secrets: ['API_KEY'],
    loadBalancer: true,
    public: true,
    stickySessions: false,
    spot: false,
  }],
  network: { tasks: 'public', egress: 'none', cidr: '10.0.0.0/16' },
  local: { port: 8080 },
};

const withDependencies: ProbeContext = { config, placeholders: [], dependencies: "against throw-away local PostgreSQL (postgres:16) and Redis (redis:7), not the environment's own" };

describe('probeVerdict', () => {
  it('says the app ran against throw-away dependencies, and names placeholders only for declared secrets', () => {
    const [runs] = probeVerdict({ kind: 'healthy', status: 200, seconds: 2.5 }, { ...withDependencies, placeholders: ['API_KEY'] });
    expect(runs!.message).toBe("the container started with the environment berth gives it, against throw-away local PostgreSQL (postgres:16) and Redis (redis:7), not the environment's own (declared secret without a value here got a placeholder: API_KEY)");
    expect(runs!.message).not.toMatch(/DATABASE_URL|REDIS_URL|PGPASSWORD/);
  });

  it('says nothing about dependencies or placeholders when there are none', () => {
    const [runs] = probeVerdict({ kind: 'healthy', status: 200, seconds: 1 }, { config, placeholders: [] });
    expect(runs!.message).toBe('the container started with the environment berth gives it');
  });

  it('blames the unreachable database, not the port, when the log shows the app waiting for it', () => {
    const logTail = [
      '{"time": "2026-11-23 15:40:12,101", "level": "WARNING", "message": "database not ready (attempt 16/30): connection to server at \\"127.0.0.1\\", port 5432 failed: Connection refused\\n\\tIs the server running on that host and accepting TCP/IP connections?", "logger": "news-api"}',
    ];
    const [, port] = probeVerdict({ kind: 'not-listening', seconds: 60, logTail, exposedPorts: [8000] }, withDependencies);
    expect(port!.status).toBe('fail');
    expect(port!.message).toMatch(/^The app cannot reach its database or cache: connecting to 127\.0\.0\.1 port 5432 fails/);
    expect(port!.message).not.toContain('nothing listened');
    expect(port!.fix).toContain('DATABASE_URL');
    expect(port!.details).toEqual(logTail);
  });

  it('still says nothing listened when the log does not explain it', () => {
    const [, port] = probeVerdict({ kind: 'not-listening', seconds: 60, logTail: ['starting worker'], exposedPorts: [8000] }, withDependencies);
    expect(port!.message).toBe('nothing listened on port 8000 within the 60s grace period (the image exposes 8000)');
  });

  it('explains an exit after giving up on the database as the database, not a bare exit', () => {
    const logTail = ['psycopg2.OperationalError: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused', 'RuntimeError: database unreachable'];
    const [runs] = probeVerdict({ kind: 'exited', exitCode: 3, oomKilled: false, seconds: 61, logTail }, withDependencies);
    expect(runs!.message).toContain('The app cannot reach its database or cache: connecting to localhost port 5432 fails');
  });
});
