import { describe, expect, it } from 'vitest';
import type { WebServiceSpec, WorkerServiceSpec } from '../config/model.js';
import { emptyEvidence, type FailureEvidence } from './failure-evidence.js';
import { loggedListenAddresses, observe, socketsVerdict } from './failure-observations.js';

const web: WebServiceSpec = {
  name: 'web',
  kind: 'web',
  route: {},
  ownImage: false,
  port: 8000,
  health: { path: '/health', interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 60 },
  cpu: 256,
  memory: 512,
  arch: 'x86_64',
  count: { min: 1, max: 1, schedule: [] },
  env: {},
  secrets: [],
  loadBalancer: true,
  public: true,
  stickySessions: false,
  spot: false,
};

const worker: WorkerServiceSpec = { name: 'worker', kind: 'worker', ownImage: false, cpu: 256, memory: 512, arch: 'x86_64', count: { min: 1, max: 1, schedule: [] }, env: {}, secrets: [], spot: false };

const withLog = (...logTail: string[]): FailureEvidence => ({ ...emptyEvidence('local'), logTail });

describe('loggedListenAddresses', () => {
  it('reads the start-up lines of common servers', () => {
    const lines = [
      '[2026-01-10 10:00:00 +0000] [1] [INFO] Listening at: http://0.0.0.0:80 (1)',
      'INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)',
      ' * Running on http://172.18.0.3:5000',
      'Starting development server at http://127.0.0.1:8000/',
      '* Listening on http://0.0.0.0:3000',
      '{"level":30,"msg":"Server listening at http://127.0.0.1:3000"}',
      '[GIN-debug] Listening and serving HTTP on :8080',
      '⇨ http server started on [::]:1323',
      'Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...',
      'Example app listening on port 3000',
    ];
    expect(loggedListenAddresses(lines).map(({ address, port }) => `${address}|${port}`)).toEqual([
      '0.0.0.0|80', '127.0.0.1|8000', '172.18.0.3|5000', '127.0.0.1|8000', '0.0.0.0|3000', '127.0.0.1|3000', '0.0.0.0|8080', '::|1323', '0.0.0.0|8000', '|3000',
    ]);
  });

  it('ignores lines that are not about where the app listens', () => {
    expect(loggedListenAddresses(['GET /health 200', 'connecting to redis://cache:6379', 'Booting worker with pid: 7'])).toEqual([]);
  });
});

describe('observe', () => {
  it('says where the app listens instead of service.port, from its log', () => {
    expect(observe(withLog('[INFO] Listening at: http://0.0.0.0:80 (1)'), web)).toEqual(['the app listens on port 80, not on service.port 8000 (its log: "[INFO] Listening at: http://0.0.0.0:80 (1)")']);
  });

  it('says nothing about ports when the app listens on service.port on every interface', () => {
    expect(observe(withLog('INFO:     Uvicorn running on http://0.0.0.0:8000'), web)).toEqual([]);
    // Werkzeug logs 127.0.0.1 beside the container's own address when it listens everywhere.
    expect(observe(withLog(' * Running on all addresses (0.0.0.0)', ' * Running on http://127.0.0.1:8000', ' * Running on http://172.18.0.3:8000'), web)).toEqual([]);
    expect(observe(withLog(' * Running on all addresses (0.0.0.0)', ' * Running on http://127.0.0.1:8000'), web)).toEqual([]);
  });

  it('says the app listens on 127.0.0.1 only', () => {
    expect(observe(withLog('INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)'), web)).toEqual(['the app listens on 127.0.0.1:8000 only (its log: "INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)")']);
  });

  it('believes the sockets over the log, and ignores Docker\'s DNS listener', () => {
    const evidence = { ...withLog('Listening at: http://0.0.0.0:80'), listening: [{ address: '0.0.0.0', port: 8000 }, { address: '127.0.0.11', port: 39001 }] };
    expect(observe(evidence, web)).toEqual([]);
    expect(observe({ ...emptyEvidence('local'), listening: [{ address: '::', port: 5000 }, { address: '127.0.0.11', port: 39001 }] }, web)).toEqual(['the app listens on port 5000, not on service.port 8000 (its sockets)']);
    expect(observe({ ...emptyEvidence('local'), listening: [{ address: '::1', port: 8000 }] }, web)).toEqual(['the app listens on ::1:8000 only (its sockets)']);
  });

  it('has no port to compare for a worker', () => {
    expect(observe(withLog('Listening at: http://0.0.0.0:80'), worker)).toEqual([]);
  });

  it('tells an image without CMD from a command that ended, and neither from a stop by the scheduler', () => {
    const exited = (stopCode?: string): FailureEvidence => ({ ...emptyEvidence('aws'), stoppedTasks: [{ id: 't', ...(stopCode ? { stopCode } : {}), containers: [{ name: 'app', exitCode: 0 }] }] });
    expect(observe({ ...exited(), command: { entrypoint: ['docker-entrypoint.sh'], cmd: [] } }, web)).toEqual(['the container exited with code 0: the image has ENTRYPOINT ["docker-entrypoint.sh"] and no CMD']);
    expect(observe({ ...exited('EssentialContainerExited'), command: { entrypoint: [], cmd: ['npm', 'start'] } }, web)).toEqual(['the container\'s command ended with code 0 (["npm","start"])']);
    expect(observe(exited('ServiceSchedulerInitiated'), web)).toEqual([]);
  });

  it('quotes the crash line only for a container that exited with an error', () => {
    const crashed: FailureEvidence = { ...withLog('Traceback (most recent call last):', '  File "/app/main.py", line 3', 'RuntimeError: boom', 'INFO shutting down'), stoppedTasks: [{ id: 'r', containers: [{ name: 'app', exitCode: 1 }] }] };
    expect(observe(crashed, web)).toEqual(['the app crashed at start: RuntimeError: boom']);
    expect(observe({ ...crashed, stoppedTasks: [] }, web)).toEqual([]);
  });

  it('connects a 503 from the health path to the dependency error in the log', () => {
    const evidence: FailureEvidence = { ...withLog('ERROR cannot reach cache: Error 111 connecting to 10.0.0.5:6379. Connection refused.'), targetHealth: [{ target: 'r', state: 'unhealthy', description: 'HTTP 503 from /health' }] };
    expect(observe(evidence, web)).toEqual(['the health check got HTTP 503 while the app logs a dependency error: ERROR cannot reach cache: Error 111 connecting to 10.0.0.5:6379. Connection refused.']);
    expect(observe({ ...evidence, logTail: [] }, web)).toEqual(['the health check got HTTP 503: the app says it is not ready']);
  });

  it('names the BuildKit-only features of a Dockerfile built without BuildKit', () => {
    const refused = { ...emptyEvidence('local'), buildOutput: ['Error response from daemon: dockerfile parse error line 4: unknown instruction: APK'] };
    expect(observe({ ...refused, builder: { buildkit: false, dockerfileFeatures: ['a heredoc (RUN <<EOF) (line 3)', 'RUN --mount (line 6)'] } })).toEqual(['the Dockerfile uses a heredoc (RUN <<EOF) (line 3), RUN --mount (line 6), which only BuildKit understands, and this engine builds without BuildKit']);
    expect(observe({ ...refused, builder: { buildkit: true, dockerfileFeatures: ['a heredoc (RUN <<EOF) (line 3)'] } })).toEqual([]);
    // A build that failed for another reason (a missing file) is not blamed on the builder.
    expect(observe({ ...emptyEvidence('local'), buildOutput: ['COPY failed: file not found in build context or excluded by .dockerignore: stat x: file does not exist'], builder: { buildkit: false, dockerfileFeatures: ['RUN --mount (line 6)'] } })).toEqual([]);
  });
});

describe('socketsVerdict (what a running replica\'s sockets say by themselves)', () => {
  it('names another port, loopback only, and says nothing while the port is served or nothing listens yet', () => {
    expect(socketsVerdict([{ address: '0.0.0.0', port: 80 }, { address: '127.0.0.11', port: 41000 }], 8000)).toBe('the app listens on port 80, not on service.port 8000 (its sockets)');
    expect(socketsVerdict([{ address: '127.0.0.1', port: 8000 }], 8000)).toBe('the app listens on 127.0.0.1:8000 only (its sockets)');
    expect(socketsVerdict([{ address: '::', port: 8000 }, { address: '0.0.0.0', port: 9090 }], 8000)).toBeUndefined();
    expect(socketsVerdict([{ address: '127.0.0.11', port: 41000 }], 8000)).toBeUndefined();
    expect(socketsVerdict([], 8000)).toBeUndefined();
  });
});
