import { describe, expect, it } from 'vitest';
import { conclusiveDiagnosis, conclusiveWhileRunning, diagnose, explainFailure, textFor, type DiagnoseConfig } from './diagnose.js';
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

/** A local replica that exited with `code`, as the local rollout records it. */
function localExit(code: number): FailureEvidence {
  return { ...emptyEvidence('local'), service: 'web', stoppedTasks: [{ id: 'berth-news-api-local-web-r3-1-ab12', containers: [{ name: 'app', exitCode: code, reason: 'exited' }] }], serviceEvents: [`replica berth-news-api-local-web-r3-1-ab12 exited with code ${code}`] };
}

/** A local replica that failed its health checks with `lastError`, as the local rollout records it. */
function localHealthFailure(lastError: string): FailureEvidence {
  return { ...emptyEvidence('local'), service: 'web', targetHealth: [{ target: 'berth-news-api-local-web-r3-1-ab12', state: 'unhealthy', description: lastError }], serviceEvents: [`replica berth-news-api-local-web-r3-1-ab12 failed the health check 3 times in a row: ${lastError} (service.health.path is /health)`] };
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
  'base-image-pull-network': [
    // The classic builder without a network (Debian docker.io 20.10).
    { ...emptyEvidence('local'), buildOutput: ['Step 1/4 : FROM python:3.12-alpine', 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.2.3:53: no such host'] },
    // BuildKit (docker 20.10 and buildx).
    { ...emptyEvidence('local'), buildOutput: ['failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.12-alpine": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: server misbehaving'] },
    { ...emptyEvidence('aws'), buildOutput: ['ERROR: failed to solve: python:3.12-alpine: failed to resolve source metadata for docker.io/library/python:3.12-alpine: failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.12-alpine": dial tcp: lookup registry-1.docker.io on 127.0.0.11:53: no such host'] },
    { ...emptyEvidence('aws'), buildOutput: ['Error response from daemon: net/http: TLS handshake timeout'] },
  ],
  'build-network': [
    { ...emptyEvidence('local'), buildOutput: ['Step 2/5 : RUN apt-get update && apt-get install -y gcc', 'W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Temporary failure resolving \'deb.debian.org\'', "The command '/bin/sh -c apt-get update && apt-get install -y gcc' returned a non-zero code: 100"] },
    { ...emptyEvidence('local'), buildOutput: ["WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/flask/", 'ERROR: No matching distribution found for flask'] },
    { ...emptyEvidence('local'), buildOutput: ['npm ERR! code EAI_AGAIN', 'npm ERR! request to https://registry.npmjs.org/express failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org'] },
    { ...emptyEvidence('local'), buildOutput: ['WARNING: fetching https://dl-cdn.alpinelinux.org/alpine/v3.19/main: temporary error (try again later)', 'ERROR: unable to select packages:'] },
  ],
  'buildkit-required': [
    { ...emptyEvidence('local'), buildOutput: ['Step 3/5 : RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt', 'the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled'] },
    { ...emptyEvidence('local'), buildOutput: ['Step 4/6 : COPY --chmod=755 entrypoint.sh /', 'Unknown flag: chmod'] },
    // A heredoc on the classic builder: it reads the heredoc's body as instructions.
    { ...emptyEvidence('local'), buildOutput: ['Error response from daemon: dockerfile parse error line 4: unknown instruction: APK'], builder: { buildkit: false, dockerfileFeatures: ['a heredoc (line 3)'] } },
  ],
  'build-missing-file': [
    { ...emptyEvidence('local'), buildOutput: ['Step 3/6 : COPY requirements.txt .', 'COPY failed: file not found in build context or excluded by .dockerignore: stat requirements.txt: file does not exist'] },
    { ...emptyEvidence('local'), buildOutput: ['failed to compute cache key: "/requirements.txt" not found: not found'] },
    { ...emptyEvidence('aws'), buildOutput: ['ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref 4f1c::xyz: "/package-lock.json": not found'] },
  ],
  'build-syntax': [
    { ...emptyEvidence('local'), buildOutput: ['Error response from daemon: dockerfile parse error line 5: unknown instruction: RUNN'] },
    { ...emptyEvidence('local'), buildOutput: ['failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 5: unknown instruction: RUNN'] },
  ],
  'build-step-failed': [
    { ...emptyEvidence('local'), buildOutput: ['Step 2/2 : RUN exit 3', "The command '/bin/sh -c exit 3' returned a non-zero code: 3"] },
    { ...emptyEvidence('local'), buildOutput: ['executor failed running [/bin/sh -c npm run build]: exit code: 1'] },
    { ...emptyEvidence('aws'), buildOutput: ['ERROR: failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1'] },
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
  'app-wrong-port': [
    // gunicorn bound to 80 while service.port is 8000 (the FastAPI sample of issue 11).
    { ...localHealthFailure('no answer from /health within 5s'), logTail: ['[2026-01-10 10:00:00 +0000] [1] [INFO] Starting gunicorn 21.2.0', '[2026-01-10 10:00:00 +0000] [1] [INFO] Listening at: http://0.0.0.0:80 (1)', '[2026-01-10 10:00:00 +0000] [7] [INFO] Booting worker with pid: 7'] },
    // The sockets of the failed container, read at the moment of failure.
    { ...localHealthFailure('connection to /health failed'), listening: [{ address: '0.0.0.0', port: 5000 }, { address: '127.0.0.11', port: 41234 }] },
    { ...emptyEvidence('aws'), targetHealth: [{ target: '10.0.3.2:8000', state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' }], logTail: ['Example app listening on port 3000'] },
  ],
  'app-loopback-only': [
    { ...localHealthFailure('connection to /health failed'), logTail: ['INFO:     Started server process [1]', 'INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)'] },
    { ...localHealthFailure('connection to /health failed'), listening: [{ address: '127.0.0.1', port: 8000 }] },
    { ...localHealthFailure('connection to /health failed'), logTail: ['Starting development server at http://127.0.0.1:8000/', 'Quit the server with CONTROL-C.'] },
    { ...emptyEvidence('aws'), targetHealth: [{ target: '10.0.3.2:8000', state: 'unhealthy', reason: 'Target.Timeout' }], logTail: ['{"level":30,"msg":"Server listening at http://127.0.0.1:8000"}'] },
  ],
  'compose-hostname-database': [
    { ...localExit(1), logTail: ['psycopg2.OperationalError: could not translate host name "db" to address: Name or service not known'] },
    { ...localExit(1), logTail: ['sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not translate host name "postgres" to address: Temporary failure in name resolution'] },
    { ...localExit(1), logTail: ['ActiveRecord::ConnectionNotEstablished: could not translate host name "db" to address: Name or service not known'] },
    { ...localExit(1), logTail: ["psycopg.OperationalError: failed to resolve host 'db': [Errno -2] Name or service not known"] },
    { ...localExit(1), logTail: ['Error: getaddrinfo ENOTFOUND db', '    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26)'] },
    { ...localExit(1), logTail: ['failed to connect to `host=db user=postgres database=app`: hostname resolving error (lookup db on 127.0.0.11:53: no such host)'] },
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 1 }], 'EssentialContainerExited'), logTail: ['java.net.UnknownHostException: postgres-db'] },
  ],
  'compose-hostname-cache': [
    // redis-py (issue 11's sample), as the app logs it while the container keeps running.
    { ...localHealthFailure('HTTP 500 from /'), logTail: ['redis.exceptions.ConnectionError: Error -2 connecting to redis:6379. Name or service not known.'] },
    { ...localExit(1), logTail: ['redis.exceptions.ConnectionError: Error -3 connecting to redis:6379. Temporary failure in name resolution.'] },
    { ...localHealthFailure('connection to /health failed'), logTail: ['[ioredis] Unhandled error event: Error: getaddrinfo ENOTFOUND redis'] },
    { ...localExit(1), logTail: ['panic: dial tcp: lookup redis on 127.0.0.11:53: no such host'] },
    { ...localExit(1), logTail: ['Redis::CannotConnectError: Error connecting to Redis on redis:6379 (SocketError)'] },
    { ...localExit(1), logTail: ['RedisClient::CannotConnectError: getaddrinfo: Name or service not known (redis:6379)'] },
  ],
  'compose-hostname': [
    { ...localExit(1), logTail: ['pymongo.errors.ServerSelectionTimeoutError: mongo:27017: [Errno -2] Name or service not known', 'Error: getaddrinfo ENOTFOUND mongo'] },
    { ...localExit(255), logTail: ['PHP Warning:  mysqli::__construct(): php_network_getaddresses: getaddrinfo for mysql failed: Name or service not known'] },
  ],
  'missing-dependency': [
    { ...localExit(1), logTail: ['Traceback (most recent call last):', '  File "/app/app.py", line 1, in <module>', '    from flask import Flask', "ModuleNotFoundError: No module named 'flask'"] },
    { ...localExit(1), logTail: ["Error: Cannot find module 'express'", 'Require stack:', '- /app/server.js'] },
    { ...localExit(1), logTail: ["node:internal/errors:496", "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /app/server.js"] },
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 1 }], 'EssentialContainerExited'), logTail: ["/usr/local/lib/ruby/3.2.0/rubygems/core_ext/kernel_require.rb:85:in `require': cannot load such file -- sinatra (LoadError)"] },
    { ...localExit(1), logTail: ['Could not find rack-3.0.8 in locally installed gems (Bundler::GemNotFound)'] },
  ],
  'no-command': [
    { ...localExit(0), command: { entrypoint: ['docker-entrypoint.sh'], cmd: [] }, logTail: [] },
    { ...emptyEvidence('local'), serviceEvents: ['(HTTP code 400) unexpected - No command specified'] },
  ],
  'process-finished': [
    { ...localExit(0), command: { entrypoint: [], cmd: ['/bin/sh', '-c', 'gunicorn -b 0.0.0.0:8000 app:app --daemon'] }, logTail: [] },
  ],
  'crash-on-start': [
    { ...localExit(1), logTail: ['Traceback (most recent call last):', '  File "/app/main.py", line 3, in <module>', '    RATE = 100 / int(os.environ.get("WORKERS", "0"))', 'ZeroDivisionError: division by zero'] },
    { ...localExit(1), logTail: ['/app/server.js:4', "const [host] = process.env.UPSTREAM.split(':');", "TypeError: Cannot read properties of undefined (reading 'split')", '    at Object.<anonymous> (/app/server.js:4:36)'] },
    { ...awsTask('Essential container in task exited', [{ name: 'app', exitCode: 2 }], 'EssentialContainerExited'), logTail: ['panic: runtime error: invalid memory address or nil pointer dereference', '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b8f2c]'] },
  ],
  'health-dependency-down': [
    { ...localHealthFailure('HTTP 503 from /health'), logTail: ['pymongo.errors.ServerSelectionTimeoutError: 10.0.0.7:27017: [Errno 111] Connection refused', 'INFO: 172.18.0.1 - "GET /health HTTP/1.1" 503'] },
    { ...emptyEvidence('aws'), targetHealth: [{ target: '10.0.3.2:8000', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]' }], logTail: ['ERROR health: upstream http://payments:9000 ECONNREFUSED'] },
  ],
  'health-not-ready': [
    { ...localHealthFailure('HTTP 503 from /health'), logTail: ['INFO: 172.18.0.1 - "GET /health HTTP/1.1" 503'] },
    { ...emptyEvidence('aws'), targetHealth: [{ target: '10.0.3.2:8000', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]' }] },
  ],
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

/** Words of AWS that mean nothing on the local engine (the advice may still say what AWS needs, by name). */
const AWS_VOCABULARY = /\bECS\b|\bELB\b|\bALB\b|\bECR\b|Fargate|CloudFormation|task definition|Target\.\w+|EssentialContainerExited|Graviton|\bIAM\b|Secrets Manager|security group|subnet|\btasks?\b|RDS|ElastiCache|CloudWatch|environment local|Run it locally/;

describe('local diagnoses', () => {
  it('use no AWS vocabulary in any entry that applies locally', () => {
    for (const entry of KNOWN_FAILURES.filter((candidate) => candidate.target !== 'aws')) {
      for (const text of [entry.title, entry.cause, entry.fix]) expect(textFor(text, 'local'), entry.id).not.toMatch(AWS_VOCABULARY);
    }
  });

  it('use no AWS vocabulary for any real message seen on the local engine', () => {
    for (const cases of Object.values(REAL_MESSAGES)) {
      for (const evidence of cases) {
        for (const found of diagnose({ ...evidence, target: 'local' }, config)) {
          expect(`${found.title} ${found.cause} ${found.fix}`, found.id).not.toMatch(AWS_VOCABULARY);
        }
      }
    }
  });

  it('tell an exited local app what to do without sending it to the local environment it is in', () => {
    const [exited] = diagnose(REAL_MESSAGES['essential-container-exited']![1]!, config);
    expect(exited!.fix).toBe('Fix the error its last log lines show (`berth logs` has more); a web server must keep running in the foreground on port 8000.');
  });
});

describe('the causes the doctor names, inside a deploy', () => {
  it('names the port the app logged, in the doctor\'s words', () => {
    const [first] = diagnose(REAL_MESSAGES['app-wrong-port']![0]!, config);
    expect(first!.id).toBe('app-wrong-port');
    expect(first!.cause).toBe('The app listens on port 80, not on service.port 8000: the health checks to port 8000 get no answer.');
    expect(first!.fix).toMatch(/^Set service\.port: 80 in berth\.yml, or make the app listen on 0\.0\.0\.0:8000/);
    expect(first!.evidence).toEqual(['the app listens on port 80, not on service.port 8000 (its log: "[2026-01-10 10:00:00 +0000] [1] [INFO] Listening at: http://0.0.0.0:80 (1)")']);
  });

  it('names the loopback address, from sockets or from the log', () => {
    for (const evidence of REAL_MESSAGES['app-loopback-only']!) {
      const [first] = diagnose(evidence, config);
      expect(first!.id).toBe('app-loopback-only');
      expect(first!.cause).toMatch(/^The app listens on 127\.0\.0\.1:8000 only: /);
      expect(first!.fix).toContain('0.0.0.0:8000');
    }
  });

  it('names the compose host name and the variable to use instead, per target', () => {
    const [local] = diagnose(REAL_MESSAGES['compose-hostname-cache']![0]!, config);
    expect(ids(REAL_MESSAGES['compose-hostname-cache']![0]!)).toEqual(['compose-hostname-cache']);
    expect(local!.cause).toBe('The app connects to Redis at the host "redis", a service name from a docker-compose file; that name does not resolve here.');
    expect(local!.fix).toMatch(/^Declare `cache: redis` in berth\.yml and connect with REDIS_URL/);
    const [db] = diagnose(REAL_MESSAGES['compose-hostname-database']![6]!, config);
    expect(db!.cause).toContain('"postgres-db"');
    expect(db!.fix).toMatch(/^Connect with DATABASE_URL .* from the RDS database/);
    expect(ids(REAL_MESSAGES['compose-hostname']![0]!)).toEqual(['compose-hostname']);
  });

  it('says an ENTRYPOINT without CMD starts no server', () => {
    const [first] = diagnose(REAL_MESSAGES['no-command']![0]!, config);
    expect(first!.cause).toBe('The image has no CMD (ENTRYPOINT ["docker-entrypoint.sh"]), so the container ran without a server command and ended with code 0.');
    const [engine] = diagnose(REAL_MESSAGES['no-command']![1]!, config);
    expect(engine!.cause).toContain('no CMD (and no ENTRYPOINT)');
  });

  it('names the missing module and the crash line', () => {
    expect(diagnose(REAL_MESSAGES['missing-dependency']![0]!, config)[0]!.cause).toBe('The app imports flask, which is not installed in the image.');
    const [crash] = diagnose(REAL_MESSAGES['crash-on-start']![0]!, config);
    expect(crash!.cause).toBe('The app crashed while starting (exit code 1): ZeroDivisionError: division by zero');
    expect(crash!.logTail).toContain('ZeroDivisionError: division by zero');
  });

  it('says a failed base-image pull is the network, not the Dockerfile', () => {
    const [first] = diagnose(REAL_MESSAGES['base-image-pull-network']![0]!, config);
    expect(first!.cause).toBe('The build could not download its base image: this machine cannot reach registry-1.docker.io (DNS lookup or network failed). Nothing is wrong with the Dockerfile.');
    expect(first!.fix).not.toMatch(/fix the Dockerfile/i);
  });

  it('says a heredoc on the classic builder needs BuildKit, not a fixed instruction', () => {
    expect(ids(REAL_MESSAGES['buildkit-required']![2]!)).toEqual(['buildkit-required']);
    const [first] = diagnose(REAL_MESSAGES['buildkit-required']![2]!, config);
    expect(first!.cause).toMatch(/^The Dockerfile uses a heredoc \(line 3\), which only BuildKit builds/);
    // The same parse error with BuildKit in use is a plain syntax error.
    expect(ids({ ...REAL_MESSAGES['buildkit-required']![2]!, builder: { buildkit: true, dockerfileFeatures: ['a heredoc (line 3)'] } })).toEqual(['build-syntax']);
  });

  it('uses the failed service\'s port, health path and berth.yml key', () => {
    const api = { ...config.services[0]!, name: 'api', port: 9000, health: { ...(config.services[0] as { health: object }).health, path: '/ready' } } as DiagnoseConfig['services'][number];
    const two: DiagnoseConfig = { ...config, services: [config.services[0]!, api] };
    const [first] = diagnose({ ...REAL_MESSAGES['app-wrong-port']![0]!, service: 'api' }, two);
    expect(first!.cause).toBe('The app listens on port 80, not on services.api.port 9000: the health checks to port 9000 get no answer.');
  });
});

describe('conclusiveDiagnosis', () => {
  it('stops a rollout on evidence that explains the failure', () => {
    expect(conclusiveDiagnosis(REAL_MESSAGES['compose-hostname-cache']![0]!, config)?.id).toBe('compose-hostname-cache');
    expect(conclusiveDiagnosis(REAL_MESSAGES['app-wrong-port']![1]!, config)?.id).toBe('app-wrong-port');
    expect(conclusiveDiagnosis(REAL_MESSAGES['no-command']![0]!, config)?.id).toBe('no-command');
  });

  it('keeps waiting on a health check that merely failed', () => {
    expect(conclusiveDiagnosis(localHealthFailure('connection to /health failed'), config)).toBeUndefined();
    expect(conclusiveDiagnosis(REAL_MESSAGES['health-not-ready']![0]!, config)).toBeUndefined();
    expect(conclusiveDiagnosis({ ...localHealthFailure('connection to /health failed'), logTail: ['Booting worker with pid: 7'] }, config)).toBeUndefined();
  });
});

describe('conclusiveWhileRunning (a replica that still runs and fails its checks)', () => {
  it('stops on a host name that does not resolve, in the app\'s own error line', () => {
    const running = { ...localHealthFailure('HTTP 500 from /'), serviceEvents: [], logTail: [' * Running on all addresses (0.0.0.0)', 'redis.exceptions.ConnectionError: Error -3 connecting to redis:6379. Temporary failure in name resolution.'] };
    expect(conclusiveWhileRunning(running, config)?.cause).toBe('The app connects to Redis at the host "redis", a service name from a docker-compose file; that name does not resolve here.');
  });

  it('leaves the port picture to the sockets: a logged port may precede the service port', () => {
    const running = { ...localHealthFailure('connection to /health failed'), serviceEvents: [], logTail: ['[1] [INFO] Listening at: http://0.0.0.0:9100 (1)'] };
    expect(conclusiveDiagnosis(running, config)?.id).toBe('app-wrong-port');
    expect(conclusiveWhileRunning(running, config)).toBeUndefined();
  });

  it('keeps waiting on checks that merely fail', () => {
    expect(conclusiveWhileRunning({ ...localHealthFailure('HTTP 500 from /'), serviceEvents: [], logTail: ['GET / 500'] }, config)).toBeUndefined();
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
    for (const entry of KNOWN_FAILURES) expect(doc, entry.id).toContain(`| \`${entry.id}\` | ${textFor(entry.title, entry.target ?? 'aws')}`);
  });
});
