import { describe, expect, it } from 'vitest';
import { diagnose, explainFailure, type DiagnoseConfig } from './diagnose.js';
import { emptyEvidence, type FailureEvidence } from './failure-evidence.js';
import { KNOWN_FAILURES } from './known-failures.js';

const config: DiagnoseConfig = {
  app: 'news-api',
  env: 'prod',
  services: [{
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
  }],
  network: { tasks: 'private', egress: 'endpoints', cidr: '10.0.0.0/16' },
  local: { port: 8080 },
};

function awsTask(stoppedReason: string, containers: FailureEvidence['stoppedTasks'][number]['containers'] = [], stopCode?: string): FailureEvidence {
  return { ...emptyEvidence('aws'), stoppedTasks: [{ id: 'task-1', stoppedReason, stopCode, containers }] };
}

function ids(evidence: FailureEvidence): string[] {
  return diagnose(evidence, config).map((d) => d.id);
}

/** Real messages, as ECS, ELB, CloudFormation, Docker and apps print them, one or more per table entry. */
const REAL_MESSAGES: Record<string, FailureEvidence[]> = {
  'image-platform-mismatch': [
    awsTask("CannotPullContainerError: pull image manifest has been retried 1 time(s): image Manifest does not contain descriptor matching platform 'linux/amd64'"),
    awsTask("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref: no matching manifest for linux/amd64 in the manifest list entries"),
  ],
  'base-image-platform': [
    { ...emptyEvidence('local'), buildOutput: ['Step 3/8 : COPY app.py .', 'failed to get destination image "sha256:7409ad5455d2": image with reference sha256:7409ad5455d2 was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64'] },
  ],
  'exec-format-error': [
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 1 }]), logTail: ['standard_init_linux.go:228: exec user process caused: exec format error'] },
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 255 }]), logTail: ['exec /usr/local/bin/gunicorn: exec format error'] },
  ],
  'image-not-found': [
    awsTask('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/berth-news-api:latest: 123456789012.dkr.ecr.us-east-1.amazonaws.com/berth-news-api:latest: not found'),
    { ...emptyEvidence('aws'), buildOutput: ['Error response from daemon: repository consultation-app not found'] },
  ],
  'image-pull-denied': [
    awsTask('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/berth-news-api@sha256:4f1c: pulling from host 123456789012.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests sha256:4f1c]: 403 Forbidden'),
    awsTask('CannotPullContainerError: Error response from daemon: pull access denied for berth-news-api, repository does not exist or may require \'docker login\': denied: requested access to the resource is denied'),
    { ...emptyEvidence('aws'), buildOutput: ['Error response from daemon: login attempt to https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/ failed with status: 401 Unauthorized'] },
  ],
  'image-pull-network': [
    awsTask('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/tryretool/backend:2.110.5: failed to do request: Head "https://registry-1.docker.io/v2/tryretool/backend/manifests/2.110.5": dial tcp 34.205.13.154:443: i/o timeout'),
    { ...emptyEvidence('aws'), buildOutput: ['Error response from daemon: net/http: TLS handshake timeout'] },
  ],
  'image-pull-failed': [awsTask('CannotPullContainerError: ref pull has been retried 1 time(s): failed to extract layer sha256:9a1b: write /var/lib/containerd/tmpmounts: no space left on device')],
  'secret-not-found': [
    awsTask("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/news-api/prod/API_KEY from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret."),
  ],
  'secrets-access-denied': [
    awsTask('ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/news-api/prod/API_KEY-AbCdEf from secrets manager: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/berth-news-api-prod-ExecutionRole/4f1c is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/news-api/prod/API_KEY-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action'),
  ],
  'secrets-unreachable': [
    awsTask('ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded'),
    awsTask('ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 52.46.154.21:443: i/o timeout. Please check your task network configuration.'),
  ],
  'logs-setup-failed': [
    awsTask('ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole/4f1c is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:us-east-1:123456789012:log-group:/berth/news-api/prod:log-stream:app/app/4f1c'),
    awsTask('ResourceInitializationError: failed to validate logger args: The specified log group does not exist. : exit status 1'),
  ],
  'resource-initialization-failed': [awsTask('ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message')],
  'out-of-memory': [
    awsTask('OutOfMemoryError: Container killed due to memory usage', [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }]),
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 137 }]) },
    // As the local target records it.
    { ...emptyEvidence('local'), stoppedTasks: [{ id: 'web-local-r3-1', stoppedReason: 'OutOfMemory: container killed due to memory usage', stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 137 }] }], serviceEvents: ['replica web-local-r3-1 exited with code 137 (out of memory: raise service.memory)'] },
  ],
  'missing-env-var': [
    {
      ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 1 }], 'EssentialContainerExited'),
      logTail: ['Traceback (most recent call last):', '  File "/app/main.py", line 8, in <module>', "    CLERK_SECRET_KEY = os.environ['CLERK_SECRET_KEY']", "KeyError: 'CLERK_SECRET_KEY'"],
    },
    { ...emptyEvidence('local'), logTail: ['ValueError: CLERK_SECRET_KEY environment variable is required'] },
  ],
  'command-not-found': [
    awsTask('CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "gunicorn": executable file not found in $PATH: unknown'),
  ],
  'app-port-in-use': [
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 1 }]), logTail: ["ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use", 'OSError: [Errno 98] Address already in use'] },
  ],
  'dependency-unreachable': [
    // examples/news-api's JSON log line while the doctor probed it without a database (quotes escaped, newline as \n).
    { ...emptyEvidence('local'), logTail: ['{"time": "2026-11-23 15:40:12,101", "level": "WARNING", "message": "database not ready (attempt 16/30): connection to server at \\"127.0.0.1\\", port 5432 failed: Connection refused\\n\\tIs the server running on that host and accepting TCP/IP connections?", "logger": "news-api"}'] },
    // psycopg2 and redis-py in python:3.12-slim, connecting to localhost inside a container.
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 1 }], 'EssentialContainerExited'), logTail: ['psycopg2.OperationalError: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused', '\tIs the server running on that host and accepting TCP/IP connections?'] },
    { ...emptyEvidence('local'), logTail: ['redis.exceptions.ConnectionError: Error 99 connecting to localhost:6379. Cannot assign requested address.'] },
    { ...emptyEvidence('local'), logTail: ['redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:6379. Connection refused.'] },
    { ...emptyEvidence('local'), logTail: ["ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)"] },
    { ...emptyEvidence('aws'), logTail: ['Error: connect ECONNREFUSED 127.0.0.1:5432', '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)'] },
  ],
  'essential-container-exited': [
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 3 }], 'EssentialContainerExited'), logTail: ['[2024-01-15 10:30:00 +0000] [7] [ERROR] Worker failed to boot.', '[ERROR] Container exited with code 1'] },
    { ...emptyEvidence('local'), stoppedTasks: [{ id: 'news-api-local-app-1', containers: [{ name: 'app', exitCode: 2, reason: 'exited' }] }], logTail: ['python: can\'t open file \'/app/main.py\': [Errno 2] No such file or directory'] },
    { ...emptyEvidence('local'), serviceEvents: ['replica web-local-r3-1 exited with code 3'] },
  ],
  'elb-health-response-mismatch': [
    { ...emptyEvidence('aws'), targetHealth: [{ target: '10.0.3.2:8000', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [404]' }] },
    { ...emptyEvidence('aws'), serviceEvents: ['(service news-api) (port 8000) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth-news-api/555a47e25c5a1850) due to (reason Health checks failed with these codes: [404]).'] },
    // As the local target records it (src/targets/local/rollout.ts).
    { ...emptyEvidence('local'), targetHealth: [{ target: 'web-local-r3-1', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'HTTP 404' }], serviceEvents: ['replica web-local-r3-1 failed the health check 3 times in a row: HTTP 404 (service.health.path is /health)'] },
    { ...emptyEvidence('aws'), targetHealth: [{ target: '10.0.3.2:8000', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' }] },
  ],
  'elb-health-timeout': [
    { ...emptyEvidence('aws'), targetHealth: [{ target: '10.0.3.2:8000', state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' }] },
    { ...emptyEvidence('aws'), serviceEvents: ['(service news-api) (port 8000) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth-news-api/555a) due to (reason Request timed out).'] },
  ],
  'elb-health-checks-failed': [
    awsTask('Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth-news-api/555a47e25c5a1850)'),
    { ...emptyEvidence('aws'), serviceEvents: ['(service civictechjobs-fullstack-stage) (port 8000) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-west-2:035866691871:targetgroup/civictechjobs-fullstack-stage/555a47e25c5a1850) due to (reason Health checks failed).'] },
    { ...emptyEvidence('aws'), targetHealth: [{ target: '10.0.3.2:8000', state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }] },
  ],
  'container-health-check-failed': [
    awsTask('Task failed container health checks'),
    { ...emptyEvidence('local'), serviceEvents: ['replica news-api-local-app-1 is unhealthy'] },
    { ...emptyEvidence('local'), serviceEvents: ['replica web-local-r3-1 failed the health check 3 times in a row: connection refused (service.health.path is /health)'] },
    { ...emptyEvidence('aws'), logTail: ['Health check failed: timeout after 5 seconds'] },
    { ...emptyEvidence('aws'), logTail: ['[ERROR] Health check failed: GET /health returned 500'] },
  ],
  'iam-pass-role': [
    { ...emptyEvidence('aws'), stackEvents: ['Service: CREATE_FAILED: Resource handler returned message: "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/berth-news-api-prod-TaskRole because no identity-based policy allows the iam:PassRole action"'] },
  ],
  'not-authorized-create-service': [
    { ...emptyEvidence('aws'), stackEvents: ['Service: CREATE_FAILED: User is not authorized to perform: ecs:CreateService'] },
    { ...emptyEvidence('aws'), stackEvents: ['ServiceD69D759B: CREATE_FAILED: Resource handler returned message: "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ecs:CreateService on resource: arn:aws:ecs:us-east-1:123456789012:service/berth-news-api-prod/news-api because no identity-based policy allows the ecs:CreateService action (Service: AmazonECS; Status Code: 400; Error Code: AccessDeniedException)"'] },
  ],
  'not-authorized': [
    { ...emptyEvidence('aws'), stackEvents: ['LoadBalancer: CREATE_FAILED: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: elasticloadbalancing:CreateLoadBalancer on resource: arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/berth-news-api-prod/*'] },
  ],
  'ecs-service-linked-role': [
    { ...emptyEvidence('aws'), stackEvents: ['Cluster: CREATE_FAILED: Resource handler returned message: "Unable to assume the service linked role. Please verify that the ECS service linked role exists. (Service: AmazonECS; Status Code: 400; Error Code: InvalidParameterException)"'] },
  ],
  'quota-exceeded': [
    { ...emptyEvidence('aws'), serviceEvents: ["(service news-api) was unable to place a task. Reason: You've reached the limit on the number of vCPUs you can run concurrently."] },
    { ...emptyEvidence('aws'), stackEvents: ['Vpc8378EB38: CREATE_FAILED: The maximum number of VPCs has been reached. (Service: Ec2, Status Code: 400, Request ID: 4f1c)'] },
    { ...emptyEvidence('aws'), stackEvents: ['NatEip: CREATE_FAILED: The maximum number of addresses has been reached. (Service: Ec2; Error Code: AddressLimitExceeded)'] },
  ],
  'local-port-in-use': [
    { ...emptyEvidence('local'), serviceEvents: ['Error response from daemon: driver failed programming external connectivity on endpoint news-api-local-proxy: Bind for 0.0.0.0:8080 failed: port is already allocated'] },
    { ...emptyEvidence('local'), serviceEvents: ['Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use'] },
    { ...emptyEvidence('local'), buildOutput: ['Error: Port 8000 is already in use'] },
  ],
};

describe('the table of known failures', () => {
  it('has unique ids and a real-message test for every entry', () => {
    const entryIds = KNOWN_FAILURES.map((entry) => entry.id);
    expect(new Set(entryIds).size).toBe(entryIds.length);
    expect(Object.keys(REAL_MESSAGES).sort()).toEqual([...entryIds].sort());
  });

  it('names only existing entries in supersedes', () => {
    const entryIds = new Set(KNOWN_FAILURES.map((entry) => entry.id));
    for (const entry of KNOWN_FAILURES) for (const id of entry.supersedes ?? []) expect(entryIds, `${entry.id} supersedes ${id}`).toContain(id);
  });

  for (const [id, cases] of Object.entries(REAL_MESSAGES)) {
    it.each(cases.map((evidence, i) => [i, evidence] as const))(`${id}: real message %i is diagnosed as ${id}`, (_i, evidence) => {
      const found = diagnose(evidence, config);
      expect(found.map((d) => d.id)).toContain(id);
      const diagnosis = found.find((d) => d.id === id)!;
      expect(diagnosis.cause).not.toMatch(/\{\w+\}/);
      expect(diagnosis.fix).not.toMatch(/\{\w+\}/);
      expect(diagnosis.evidence.length).toBeGreaterThan(0);
    });
  }
});

describe('diagnose', () => {
  it('finds nothing in unrelated text', () => {
    const evidence: FailureEvidence = {
      ...awsTask('Scaling activity initiated by (deployment ecs-svc/123)', [{ name: 'app', exitCode: 0 }], 'ServiceSchedulerInitiated'),
      serviceEvents: ['(service news-api) has reached a steady state.', '(service news-api) registered 1 targets in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/1)'],
      targetHealth: [{ target: '10.0.3.2:8000', state: 'healthy' }],
      stackEvents: ['Service: CREATE_COMPLETE'],
      logTail: ['INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)', 'GET /health 200 OK', 'key error rate is low'],
    };
    expect(diagnose(evidence, config)).toEqual([]);
  });

  it('puts the configured port, path and platform into the fix', () => {
    const [timeout] = diagnose({ ...emptyEvidence('aws'), targetHealth: [{ target: 't', state: 'unhealthy', reason: 'Target.Timeout' }] }, config);
    expect(timeout!.fix).toContain('0.0.0.0:8000');
    const [mismatch] = diagnose({ ...emptyEvidence('aws'), targetHealth: [{ target: 't', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [404]' }] }, config);
    expect(mismatch!.cause).toBe('The load balancer asked for /health on port 8000 and got 404 instead of 2xx.');
    const [arch] = diagnose(awsTask("CannotPullContainerError: image Manifest does not contain descriptor matching platform 'linux/amd64'"), config);
    expect(arch!.fix).toContain('--platform linux/amd64');
  });

  it('names the missing variable and keeps the last log lines, instead of a bare "exited"', () => {
    const found = diagnose(REAL_MESSAGES['missing-env-var']![0]!, config);
    expect(found.map((d) => d.id)).toEqual(['missing-env-var']);
    expect(found[0]!.fix).toContain('berth secrets set CLERK_SECRET_KEY --env prod');
    expect(found[0]!.logTail).toContain("KeyError: 'CLERK_SECRET_KEY'");
  });

  it('prefers the specific pull failure over the general one', () => {
    expect(ids(REAL_MESSAGES['image-pull-network']![0]!)).toEqual(['image-pull-network']);
    expect(ids(REAL_MESSAGES['image-platform-mismatch']![0]!)).toEqual(['image-platform-mismatch']);
  });

  it('reports exit code 137 as out of memory with the configured memory', () => {
    const [oom] = diagnose(REAL_MESSAGES['out-of-memory']![1]!, config);
    expect(oom!.id).toBe('out-of-memory');
    expect(oom!.cause).toContain('512 MiB');
  });

  it('says the app waits for its database, with the host and port it tried, instead of a bare exit', () => {
    const found = diagnose(REAL_MESSAGES['dependency-unreachable']![1]!, config);
    expect(found.map((d) => d.id)).toEqual(['dependency-unreachable']);
    expect(found[0]!.cause).toBe('The app cannot reach its database or cache: connecting to localhost port 5432 fails, so it keeps waiting (or gives up) instead of serving port 8000.');
    expect(found[0]!.fix).toContain('DATABASE_URL');
    const [json] = diagnose(REAL_MESSAGES['dependency-unreachable']![0]!, config);
    expect(json!.cause).toContain('connecting to 127.0.0.1 port 5432 fails');
    expect(ids({ ...emptyEvidence('local'), logTail: ['INFO: connected to postgresql://berth@berth-news-api-local-database:5432/news_api', 'Error 111 connecting to the payments API'] })).toEqual([]);
  });

  it('applies local-only entries only to the local target', () => {
    const text = 'Bind for 0.0.0.0:8080 failed: port is already allocated';
    expect(ids({ ...emptyEvidence('aws'), serviceEvents: [text] })).toEqual([]);
    expect(ids({ ...emptyEvidence('local'), serviceEvents: [text] })).toEqual(['local-port-in-use']);
  });
});

describe('explainFailure', () => {
  it('gives one line per diagnosis with cause and fix, for a failed deploy to print', () => {
    expect(explainFailure(REAL_MESSAGES['out-of-memory']![0]!, config)).toEqual([
      'Out of memory: The container used more than its 512 MiB and was killed (exit code 137). Fix: Raise service.memory (now 512 MiB with cpu 256; e.g. 1024 MiB) in berth.yml, or lower the app\'s memory use (fewer worker processes).',
    ]);
    expect(explainFailure(emptyEvidence('aws'), config)).toEqual([]);
  });
});

describe('docs/doctor.md', () => {
  it('lists every known failure', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/doctor.md', import.meta.url), 'utf8');
    for (const entry of KNOWN_FAILURES) expect(doc, entry.id).toContain(`| \`${entry.id}\` | ${entry.title}`);
  });
});
