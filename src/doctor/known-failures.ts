/**
 * The table of known failures: what a failed deploy says (ECS, ELB, CloudFormation, the local engine, the
 * app's own log) mapped to a plain-language cause and a concrete fix. Data only; diagnose.ts applies it.
 *
 * Text in `cause` and `fix` may use placeholders filled from the configuration and the match:
 * {port} {path} {arch} {platform} {otherPlatform} {memory} {memoryDouble} {cpu} {gracePeriod} {timeout} {app} {env}
 * {localPort} {tasks} {egress} {exitCode} {service}, and {1} {2} ... for the pattern's capture groups.
 * Port and health placeholders are those of the failed service (the evidence names it), else the primary web service.
 *
 * A text is one string for both targets, or `{ aws, local }` when they differ: a local diagnosis never speaks
 * of tasks, ECS, target groups or security groups, and never tells you to run it locally.
 */

/** Which part of the FailureEvidence a matcher reads. */
export type EvidenceField =
  | 'stoppedReason'
  | 'stopCode'
  | 'containerReason'
  | 'exitCode'
  | 'serviceEvent'
  | 'targetHealthReason'
  | 'targetHealthDescription'
  | 'stackEvent'
  | 'log'
  | 'build'
  /** Facts derived from the evidence as sentences (failure-observations.ts): real port, loopback, crash, no CMD. */
  | 'observation';

export interface EvidenceMatcher {
  /** The fields to search; any one matching is enough. */
  fields: EvidenceField[];
  /** For text fields. */
  pattern?: RegExp;
  /** For the exitCode field. */
  exitCode?: number;
}

/** One text for both targets, or one per target. */
export type TargetText = string | { aws: string; local: string };

export interface KnownFailure {
  id: string;
  /** Short name shown as the heading. */
  title: TargetText;
  /** The entry applies when any matcher matches. */
  match: EvidenceMatcher[];
  /** Only for failures on this target. */
  target?: 'aws' | 'local';
  /** More general entries this one explains better; they are dropped when this one applies. */
  supersedes?: string[];
  cause: TargetText;
  fix: TargetText;
  /**
   * The evidence alone explains the failure (the app listens elsewhere, a name does not resolve, a module is
   * missing): a rollout that sees it stops waiting for the remaining health checks.
   */
  conclusive?: boolean;
  /** Show the app's last log lines with the diagnosis. */
  showLogTail?: boolean;
  /** Text for {1}, {2}, ... when the matcher that applied captured nothing. */
  groupDefaults?: string[];
}

const ALL_TEXT: EvidenceField[] = ['stoppedReason', 'containerReason', 'serviceEvent', 'stackEvent', 'log', 'build'];
const TASK_TEXT: EvidenceField[] = ['stoppedReason', 'containerReason', 'serviceEvent'];
const HEALTH_TEXT: EvidenceField[] = ['targetHealthReason', 'targetHealthDescription', 'serviceEvent', 'stoppedReason'];
/** Where an app's own error lines show up: its log, or the reasons a target recorded. */
const APP_TEXT: EvidenceField[] = ['log', 'serviceEvent', 'stoppedReason', 'containerReason'];
/** The general entries a specific explanation of an app's failure replaces. */
const GENERAL_APP_FAILURES = ['essential-container-exited', 'container-health-check-failed', 'elb-health-checks-failed', 'elb-health-timeout', 'elb-health-response-mismatch', 'crash-on-start', 'process-finished', 'health-not-ready'];
/** The general build entries a specific cause replaces. */
const GENERAL_BUILD_FAILURES = ['build-step-failed', 'build-syntax'];
/** Host names apps take from docker-compose files for PostgreSQL and Redis. */
const DATABASE_HOST = String.raw`db|database|postgres|postgresql|pg|psql|[\w-]*-db|[\w-]*postgres[\w-]*`;
const CACHE_HOST = String.raw`redis|cache|valkey|[\w-]*redis[\w-]*`;
const ANY_HOST = String.raw`[A-Za-z][\w.-]*`;

/**
 * A host name that does not resolve, as client libraries print it (capture group 1 is the host): redis-py,
 * libpq (psycopg2/3, SQLAlchemy, Django, Rails pg), Node (pg, ioredis, node-redis), Go, Ruby redis, Java, PHP.
 */
function unresolvedHost(host: string): EvidenceMatcher[] {
  const patterns = [
    String.raw`Error -?\d+ connecting to (${host}):\d+\. (?:Name or service not known|Temporary failure in name resolution|nodename nor servname provided|No address associated with hostname)`,
    String.raw`could not translate host name \\?"(${host})\\?" to address`,
    String.raw`getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (${host})`,
    String.raw`lookup (${host})(?: on [\d.:\[\]]+)?: (?:no such host|server misbehaving|Temporary failure in name resolution)`,
    String.raw`Error connecting to Redis on (${host}):\d+ \((?:SocketError|Socket::ResolutionError)\)`,
    String.raw`getaddrinfo: (?:Name or service not known|Temporary failure in name resolution) \((${host}):\d+\)`,
    String.raw`UnknownHostException: (${host})`,
    String.raw`getaddrinfo for (${host}) failed`,
    String.raw`failed to resolve host '(${host})'`,
  ];
  // The whole name or nothing: "postgres-db" must not be read as "postgres".
  return patterns.map((pattern) => ({ fields: ['log'] as EvidenceField[], pattern: new RegExp(pattern.replace(`(${host})`, `(${host})(?![\\w.-])`)) }));
}
const LISTEN_EXAMPLES = '`gunicorn -b 0.0.0.0:{port}`, `uvicorn --host 0.0.0.0 --port {port}`, `flask run --host 0.0.0.0 --port {port}`, Node `app.listen({port}, \'0.0.0.0\')`';

export const KNOWN_FAILURES: readonly KnownFailure[] = [
  {
    id: 'image-platform-mismatch',
    title: 'Image built for the wrong CPU architecture',
    match: [
      { fields: ALL_TEXT, pattern: /image Manifest does not contain descriptor matching platform '([^']+)'/i },
      { fields: ALL_TEXT, pattern: /no matching manifest for ([\w/]+) in the manifest list/i },
      { fields: ALL_TEXT, pattern: /requested image's platform \(([\w/]+)\) does not match the detected host platform/i },
    ],
    supersedes: ['exec-format-error', 'image-pull-failed', 'image-not-found'],
    cause: {
      aws: 'The image has no variant for {1}; it was built for another architecture (typically arm64 on an Apple Silicon Mac) than the tasks run on ({platform}).',
      local: 'The image has no variant for {1}, the platform of this engine: it was built or pulled for another CPU architecture.',
    },
    fix: {
      aws: 'Build for the task platform: let berth build it (it passes --platform {platform}), or `docker build --platform {platform}`; make sure no FROM line pins --platform={otherPlatform}. To run on Graviton instead, set service.arch: arm64.',
      local: 'Let berth build the image (locally it builds for this machine), or pull the {1} variant (`docker pull --platform {1} <image>`); make sure no FROM line pins another --platform.',
    },
  },
  {
    id: 'base-image-platform',
    title: 'The base image is not available for the target architecture',
    match: [
      { fields: ['build'], pattern: /does not match the specified platform: wanted ([\w/]+), actual: ([\w/]+)/i },
      { fields: ['build'], pattern: /no matching manifest for ([\w/]+) in the manifest list entries/i },
    ],
    supersedes: ['image-platform-mismatch'],
    groupDefaults: ['{platform}', 'another platform'],
    cause: 'The build is for {1} (service.arch {arch}), but the base image on this engine is for {2} and no {1} variant could be fetched.',
    fix: 'Pull the base image for {1} (`docker pull --platform {1} <image>`) or use a multi-arch base image; to build for the architecture you have, set service.arch to match it.',
  },
  {
    id: 'base-image-pull-network',
    title: 'The base image could not be downloaded: no network',
    match: [
      { fields: ['build'], pattern: /failed to (?:resolve source metadata|load metadata|do request) for ([\w./:@-]+).*(?:no such host|server misbehaving|i\/o timeout|network is unreachable|connection refused|TLS handshake timeout|Temporary failure in name resolution)/ },
      { fields: ['build'], pattern: /(?:Get|Head) "?https:\/\/([\w.-]+)\/v2\/\S*"?: (?:dial tcp|net\/http|context deadline exceeded|proxyconnect)/ },
      { fields: ['build'], pattern: /net\/http: TLS handshake timeout|request canceled while waiting for connection/ },
    ],
    supersedes: [...GENERAL_BUILD_FAILURES, 'build-network'],
    groupDefaults: ['the registry'],
    cause: 'The build could not download its base image: this machine cannot reach {1} (DNS lookup or network failed). Nothing is wrong with the Dockerfile.',
    fix: 'Check the Docker engine\'s network and DNS (`docker pull` of the FROM image fails the same way) or its proxy settings, or load the image another way (`docker load`); then deploy again.',
  },
  {
    id: 'build-network',
    title: 'A build step could not reach the network',
    match: [
      { fields: ['build'], pattern: /(?:Temporary failure resolving|Could not resolve) '([\w.-]+)'/ },
      { fields: ['build'], pattern: /Could not resolve host: ([\w.-]+)|unable to resolve host address '([\w.-]+)'/ },
      { fields: ['build'], pattern: /Failed to establish a new connection: \[Errno -?\d+\] (?:Temporary failure in name resolution|Name or service not known|Network is unreachable)/ },
      { fields: ['build'], pattern: /request to https?:\/\/([\w.-]+)\S* failed, reason: getaddrinfo (?:EAI_AGAIN|ENOTFOUND)/ },
      { fields: ['build'], pattern: /getaddrinfo (?:EAI_AGAIN|ENOTFOUND) ([\w.-]+)/ },
      { fields: ['build'], pattern: /fetching https?:\/\/([\w.-]+)\S*: (?:temporary error|DNS lookup error|network error)/ },
      { fields: ['build'], pattern: /dial tcp: lookup ([\w.-]+)(?: on [\d.:[\]]+)?: (?:no such host|server misbehaving|Temporary failure in name resolution)/ },
    ],
    supersedes: GENERAL_BUILD_FAILURES,
    groupDefaults: ['the package servers'],
    cause: 'A build step could not reach {1}: DNS or the network failed while it downloaded packages. Nothing is wrong with the Dockerfile.',
    fix: 'Check the Docker engine\'s network and DNS, or a proxy (pass HTTP_PROXY and HTTPS_PROXY in service.build.args); then deploy again.',
  },
  {
    id: 'buildkit-required',
    title: 'The Dockerfile needs BuildKit',
    match: [
      { fields: ['observation'], pattern: /^the Dockerfile uses (.+), which only BuildKit understands/ },
      { fields: ['build'], pattern: /the (--\w+) option requires BuildKit/ },
      { fields: ['build'], pattern: /(Unknown flag: (?:mount|chmod|link|network|security|exclude|parents|checksum|keep-git-dir))/ },
    ],
    supersedes: GENERAL_BUILD_FAILURES,
    cause: 'The Dockerfile uses {1}, which only BuildKit builds, and this Docker engine builds without BuildKit (the docker CLI has no buildx component).',
    fix: 'Install the buildx component (Debian and Ubuntu: the docker-buildx package; Docker Desktop has it) and deploy again, since berth builds with BuildKit when it can; or write the Dockerfile without it: commands joined with && instead of heredocs, RUN chmod instead of COPY --chmod, no RUN --mount.',
  },
  {
    id: 'build-missing-file',
    title: 'The Dockerfile copies a file that is not in the build context',
    match: [
      { fields: ['build'], pattern: /(?:COPY|ADD) failed: file not found in build context or excluded by \.dockerignore: stat ([^:]+): file does not exist/ },
      { fields: ['build'], pattern: /(?:COPY|ADD) failed: stat \S*docker-builder\d*\/([^:]+): no such file or directory/ },
      { fields: ['build'], pattern: /failed to (?:compute cache key|calculate checksum of ref \S+?): (?:failed to calculate checksum of ref \S+?: )?"\/?([^"]+)":? not found/ },
      { fields: ['build'], pattern: /(?:COPY|ADD) failed: (?:forbidden path outside the build context: (\S+)|no source files were specified)/ },
    ],
    supersedes: GENERAL_BUILD_FAILURES,
    groupDefaults: ['a file'],
    cause: 'The Dockerfile copies {1}, which is not in the build context (service.build.context), or .dockerignore excludes it.',
    fix: 'Add {1} to the build context, correct the path in COPY/ADD (it is relative to the build context, not to the Dockerfile), or set service.build.context to the folder that has it; check .dockerignore.',
  },
  {
    id: 'build-syntax',
    title: 'The Dockerfile does not parse',
    match: [{ fields: ['build'], pattern: /parse error (?:on )?line (\d+): (.+?)\s*$/i }],
    supersedes: ['build-step-failed'],
    cause: 'The Dockerfile does not parse at line {1}: {2}.',
    fix: 'Correct line {1} of the Dockerfile (instructions are RUN, COPY, CMD, ...; a line ending in \\ continues on the next).',
  },
  {
    id: 'build-step-failed',
    title: 'A Dockerfile step failed',
    match: [
      { fields: ['build'], pattern: /The command '(.+)' returned a non-zero code: (\d+)/ },
      { fields: ['build'], pattern: /executor failed running \[(.+)\]: exit code: (\d+)/ },
      { fields: ['build'], pattern: /process "(.+)" did not complete successfully: exit code: (\d+)/ },
    ],
    cause: 'The Dockerfile step `{1}` failed with exit code {2}; the build output above it says why.',
    fix: 'Fix that step (its output is below; `docker build` shows the same), then deploy again.',
  },
  {
    id: 'exec-format-error',
    title: 'Binary for another CPU architecture',
    match: [{ fields: ALL_TEXT, pattern: /exec format error/i }],
    supersedes: ['essential-container-exited'],
    cause: {
      aws: 'The container\'s entrypoint is a program for another CPU architecture than {platform} (an image built on an Apple Silicon Mac runs arm64 code), or a script without a "#!" line.',
      local: 'The container\'s entrypoint is a program for another CPU architecture than this machine\'s, or a script without a "#!" line.',
    },
    fix: {
      aws: 'Build the image for {platform} (`docker build --platform {platform}` or let berth build it) and check that no FROM line pins another platform; if the entrypoint is a script, start it with "#!/bin/sh". To run on arm64 (Graviton), set service.arch: arm64.',
      local: 'Let berth build the image (locally it builds for this machine) and check that no FROM line pins another platform; if the entrypoint is a script, start it with "#!/bin/sh".',
    },
    conclusive: true,
  },
  {
    id: 'image-not-found',
    target: 'aws',
    title: 'Image not found in the registry',
    match: [
      { fields: TASK_TEXT, pattern: /CannotPullContainerError:.*(?:: not found|manifest unknown|repository does not exist|manifest for \S+ not found|name unknown)/i },
      { fields: ['build'], pattern: /repository (\S+) not found/i },
    ],
    supersedes: ['image-pull-failed'],
    cause: 'The task definition names an image (repository or tag/digest) that does not exist in the registry: it was never pushed, was deleted by a lifecycle rule, or the URI is mistyped.',
    fix: 'Run `berth deploy --env {env}` to build and push the image again (it deploys by digest), or check the image exists with `aws ecr describe-images --repository-name berth-{app}`.',
  },
  {
    id: 'image-pull-denied',
    target: 'aws',
    title: 'Not allowed to pull the image',
    match: [
      { fields: TASK_TEXT, pattern: /CannotPullContainerError:.*(?:403 Forbidden|AccessDenied|not authorized|pull access denied|no basic auth credentials|denied: )/i },
      { fields: ['build'], pattern: /login attempt to (\S+) failed with status: 401 Unauthorized|no basic auth credentials/i },
    ],
    supersedes: ['image-pull-failed', 'image-not-found'],
    cause: 'The task execution role may not read the image from ECR (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer), or the registry login expired.',
    fix: 'Deploy with berth so the execution role gets the ECR pull rights it creates (check `berth doctor --env {env}` permissions); if you manage the role yourself, attach AmazonECSTaskExecutionRolePolicy. For a push, log in again: `aws ecr get-login-password | docker login --username AWS --password-stdin <registry>`.',
  },
  {
    id: 'image-pull-network',
    target: 'aws',
    title: 'No network route to the registry',
    match: [
      { fields: TASK_TEXT, pattern: /CannotPullContainerError:.*(?:i\/o timeout|dial tcp|context deadline exceeded|TLS handshake timeout|connection refused|RequestCanceled)/i },
    ],
    supersedes: ['image-pull-failed'],
    cause: 'The task could not reach the registry: tasks in {tasks} subnets with egress "{egress}" have no route to ECR (no public IP, NAT gateway or VPC endpoints), or a security group blocks outbound HTTPS.',
    fix: 'Use network.tasks: public (tasks get a public IP), or keep private tasks and set network.egress: endpoints (ECR api/dkr, S3, Logs, Secrets Manager endpoints) or nat; allow outbound 443 in the task security group.',
  },
  {
    id: 'image-pull-failed',
    target: 'aws',
    title: 'The image could not be pulled',
    match: [{ fields: TASK_TEXT, pattern: /CannotPullContainerError/i }],
    cause: 'ECS could not pull the container image: it does not exist, the execution role may not read it, or the task has no route to the registry.',
    fix: 'Check the image exists (`aws ecr describe-images --repository-name berth-{app}`), that the task execution role has ECR pull rights, and that tasks can reach ECR (network.tasks public, or network.egress endpoints/nat).',
  },
  {
    id: 'secret-not-found',
    target: 'aws',
    title: 'A secret does not exist',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError:.*(?:ResourceNotFoundException|ParameterNotFound|can't find the specified secret)/i }],
    supersedes: ['secrets-access-denied', 'resource-initialization-failed'],
    cause: 'The task refers to a secret that has no value in Secrets Manager yet (or was deleted).',
    fix: 'Set every declared secret before deploying: `berth secrets set NAME --env {env}`; `berth doctor --env {env}` lists the missing ones.',
  },
  {
    id: 'secrets-access-denied',
    target: 'aws',
    title: 'Not allowed to read the secrets',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError:.*(?:secret|ssm|asm).*(?:AccessDenied|not authorized to perform: (\S+))/i }],
    supersedes: ['resource-initialization-failed'],
    cause: 'The task execution role may not read the app\'s secrets (secretsmanager:GetSecretValue or ssm:GetParameters, and kms:Decrypt for a customer key).',
    fix: 'Let berth manage the secrets (names berth/{app}/{env}/NAME; it grants the execution role read access to exactly those); a secret made outside berth needs the same grant on the execution role.',
  },
  {
    id: 'secrets-unreachable',
    target: 'aws',
    title: 'No network route to Secrets Manager or ECR',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError: unable to pull secrets or registry auth:.*(?:i\/o timeout|context deadline exceeded|RequestCanceled|RequestError|dial tcp|check your task network configuration)/i }],
    supersedes: ['resource-initialization-failed', 'image-pull-network'],
    cause: 'Before starting the container, ECS fetches the secrets and the registry login; the task\'s subnets ({tasks}, egress "{egress}") have no route to Secrets Manager/ECR.',
    fix: 'Use network.tasks: public, or for private tasks set network.egress: endpoints (berth adds Secrets Manager, ECR and Logs endpoints) or nat; make sure the endpoints\' security group allows 443 from the tasks.',
  },
  {
    id: 'logs-setup-failed',
    target: 'aws',
    title: 'The log stream could not be created',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError: failed to validate logger args:.*(AccessDeniedException|log group does not exist|i\/o timeout|context deadline exceeded)/i }],
    supersedes: ['resource-initialization-failed'],
    cause: 'ECS could not set up the awslogs driver ({1}): the log group /berth/{app}/{env} is missing, the execution role lacks logs:CreateLogStream/PutLogEvents, or private tasks have no route to CloudWatch Logs.',
    fix: 'Deploy with berth (it creates the log group and the grant); for private tasks set network.egress: endpoints or nat.',
  },
  {
    id: 'resource-initialization-failed',
    target: 'aws',
    title: 'The task could not be initialized',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError/i }],
    cause: 'ECS could not prepare the task (secrets, registry login, logs or volumes) before starting the container.',
    fix: 'Check the execution role\'s rights to ECR, Secrets Manager and CloudWatch Logs, and that the task subnets can reach them (network.tasks public, or network.egress endpoints/nat).',
  },
  {
    id: 'app-loopback-only',
    title: 'The app listens on 127.0.0.1 only',
    match: [{ fields: ['observation'], pattern: /^the app listens on (\S+(?:, \S+)*) only\b/ }],
    supersedes: [...GENERAL_APP_FAILURES, 'app-wrong-port'],
    conclusive: true,
    cause: 'The app listens on {1} only: inside a container that is the container itself, so the load balancer\'s health checks cannot reach it.',
    fix: `Make it listen on 0.0.0.0:{port} (e.g. ${LISTEN_EXAMPLES}).`,
  },
  {
    id: 'app-wrong-port',
    title: 'The app listens on another port',
    match: [{ fields: ['observation'], pattern: /^the app listens on port (\d+)(?:, [\d, ]+)?, not on service\.port \d+/ }],
    supersedes: GENERAL_APP_FAILURES,
    conclusive: true,
    cause: 'The app listens on port {1}, not on service.port {port}: the health checks to port {port} get no answer.',
    fix: `Set service.port: {1} in berth.yml, or make the app listen on 0.0.0.0:{port} (e.g. ${LISTEN_EXAMPLES}).`,
  },
  {
    id: 'compose-hostname-database',
    title: 'The app connects to a docker-compose host name for its database',
    match: unresolvedHost(DATABASE_HOST),
    supersedes: [...GENERAL_APP_FAILURES, 'dependency-unreachable', 'health-dependency-down', 'compose-hostname'],
    conclusive: true,
    showLogTail: true,
    cause: 'The app connects to its database at the host "{1}", a service name from a docker-compose file; that name does not resolve here.',
    fix: {
      local: 'Declare `database: postgres` in berth.yml and connect with DATABASE_URL (or PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD), which berth sets, instead of the fixed host "{1}": on AWS only these variables work.',
      aws: 'Connect with DATABASE_URL (or PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD), which berth sets from the RDS database, instead of the fixed host "{1}" (compose names do not exist on AWS); declare `database: postgres` in berth.yml if it is not there.',
    },
  },
  {
    id: 'compose-hostname-cache',
    title: 'The app connects to a docker-compose host name for its cache',
    match: unresolvedHost(CACHE_HOST),
    supersedes: [...GENERAL_APP_FAILURES, 'dependency-unreachable', 'health-dependency-down', 'compose-hostname'],
    conclusive: true,
    showLogTail: true,
    cause: 'The app connects to Redis at the host "{1}", a service name from a docker-compose file; that name does not resolve here.',
    fix: {
      local: 'Declare `cache: redis` in berth.yml and connect with REDIS_URL, which berth sets, instead of the fixed host "{1}": on AWS only the variable works.',
      aws: 'Connect with REDIS_URL, which berth sets from ElastiCache (rediss://, TLS), instead of the fixed host "{1}" (compose names do not exist on AWS); declare `cache: redis` in berth.yml if it is not there.',
    },
  },
  {
    id: 'compose-hostname',
    title: 'The app connects to a host name that does not exist here',
    match: unresolvedHost(ANY_HOST),
    supersedes: [...GENERAL_APP_FAILURES, 'dependency-unreachable', 'health-dependency-down'],
    conclusive: true,
    showLogTail: true,
    cause: 'The app connects to the host "{1}", which does not resolve here (a service name from a docker-compose file?).',
    fix: 'berth runs the services in berth.yml, a database (`database: postgres`, DATABASE_URL) and a cache (`cache: redis`, REDIS_URL); another web service is reachable at its <NAME>_URL. Point the app at one of those, or at a real address in service.env.',
  },
  {
    id: 'missing-dependency',
    title: 'A module the app imports is not installed',
    match: [
      { fields: APP_TEXT, pattern: /ModuleNotFoundError: No module named '([\w.]+)'/ },
      { fields: APP_TEXT, pattern: /ImportError: No module named '?([\w.]+)'?/ },
      { fields: APP_TEXT, pattern: /Error: Cannot find module '([^']+)'/ },
      { fields: APP_TEXT, pattern: /Cannot find package '([^']+)' imported from/ },
      { fields: APP_TEXT, pattern: /cannot load such file -- ([\w/.-]+) \(LoadError\)/ },
      { fields: APP_TEXT, pattern: /Could not find gem '([^']+)'|Could not find ([\w-]+-\d[\w.]*) in (?:any of the sources|locally installed gems)/ },
    ],
    supersedes: GENERAL_APP_FAILURES,
    conclusive: true,
    showLogTail: true,
    cause: 'The app imports {1}, which is not installed in the image.',
    fix: 'Add {1} to the app\'s dependencies (requirements.txt or pyproject.toml — the package may be named differently, e.g. yaml is PyYAML —, package.json "dependencies" rather than devDependencies, or the Gemfile) and make sure the Dockerfile installs them (`pip install -r requirements.txt`, `npm ci --omit=dev`, `bundle install`).',
  },
  {
    id: 'no-command',
    title: 'The image starts no server',
    match: [
      { fields: ['observation'], pattern: /^the container exited with code 0: the image has (ENTRYPOINT .+) and no CMD$/ },
      { fields: ALL_TEXT, pattern: /No command specified/ },
    ],
    supersedes: [...GENERAL_APP_FAILURES, 'process-finished'],
    groupDefaults: ['and no ENTRYPOINT'],
    conclusive: true,
    cause: 'The image has no CMD ({1}), so the container ran without a server command and ended with code 0.',
    fix: 'Add a CMD that starts the app in the foreground to the Dockerfile (for a web service listening on 0.0.0.0:{port}, e.g. `CMD ["gunicorn", "-b", "0.0.0.0:{port}", "app:app"]`), or set service.command in berth.yml.',
  },
  {
    id: 'process-finished',
    title: 'The app\'s command finished instead of serving',
    match: [{ fields: ['observation'], pattern: /^the container's command ended with code 0/ }],
    supersedes: ['essential-container-exited', 'crash-on-start'],
    conclusive: true,
    showLogTail: true,
    cause: 'The container\'s command ended with code 0 instead of running a server: it finished its work, or started the server in the background (`&`, a daemon mode) and returned.',
    fix: 'Run the server in the foreground in CMD or service.command (no `&`, no --daemon or -D), e.g. `gunicorn -b 0.0.0.0:{port} app:app`; work that runs once belongs in a job or release.before.',
  },
  {
    id: 'crash-on-start',
    title: 'The app crashed while starting',
    match: [{ fields: ['observation'], pattern: /^the app crashed at start: (.+)$/ }],
    supersedes: ['essential-container-exited'],
    conclusive: true,
    showLogTail: true,
    cause: 'The app crashed while starting (exit code {exitCode}): {1}',
    fix: {
      local: 'Fix the error its last log lines show (below; `berth logs` has more), then deploy again.',
      aws: 'Reproduce it locally with `berth deploy` and `berth logs`, fix the error its last log lines show, then deploy again.',
    },
  },
  {
    id: 'health-dependency-down',
    title: 'The health check fails because a dependency is down',
    match: [{ fields: ['observation'], pattern: /^the health check got HTTP (5\d\d) while the app logs a dependency error: (.+)$/ }],
    supersedes: ['elb-health-response-mismatch', 'elb-health-checks-failed', 'container-health-check-failed', 'health-not-ready'],
    showLogTail: true,
    cause: '{path} answers {1} because the app cannot reach something it depends on: {2}',
    fix: 'Declare what the app needs in berth.yml (`database: postgres`, `cache: redis`) and connect with the DATABASE_URL / REDIS_URL berth sets; {path} answers 200 once its dependencies answer.',
  },
  {
    id: 'health-not-ready',
    title: 'The health check answers 503',
    match: [{ fields: ['observation'], pattern: /^the health check got HTTP 503: the app says it is not ready$/ }],
    supersedes: ['elb-health-response-mismatch', 'elb-health-checks-failed', 'container-health-check-failed'],
    showLogTail: true,
    cause: '{path} answers 503 (Service Unavailable): the app says it is not ready, usually because a database, cache or other service its health route checks does not answer.',
    fix: 'Find what it waits for in its log (below); declare it in berth.yml (`database: postgres`, `cache: redis`) and connect with DATABASE_URL / REDIS_URL, or let {path} answer 200 when the app itself is up.',
  },
  {
    id: 'out-of-memory',
    title: 'Out of memory',
    match: [
      { fields: TASK_TEXT, pattern: /OutOfMemoryError|Container killed due to memory usage|OOMKilled/i },
      { fields: ['exitCode'], exitCode: 137 },
      { fields: ['log'], pattern: /MemoryError|JavaScript heap out of memory|Killed$/ },
    ],
    supersedes: ['essential-container-exited', 'crash-on-start'],
    conclusive: true,
    showLogTail: true,
    cause: 'The container used more than its {memory} MiB and was killed (exit code 137).',
    fix: 'Raise service.memory (now {memory} MiB with cpu {cpu}; e.g. {memoryDouble}) in berth.yml, or lower the app\'s memory use (fewer worker processes).',
  },
  {
    id: 'missing-env-var',
    title: 'The app needs an environment variable it did not get',
    match: [
      { fields: ['log'], pattern: /KeyError: '([A-Za-z_][A-Za-z0-9_]*)'/ },
      { fields: ['log'], pattern: /\b([A-Z][A-Z0-9_]+) environment variable is (?:required|not set|missing)/ },
      { fields: ['log'], pattern: /Missing required environment variable:? ['"]?([A-Za-z_][A-Za-z0-9_]*)/i },
      { fields: ['log'], pattern: /environment variable ['"]?([A-Z][A-Z0-9_]+)['"]? (?:is )?(?:not set|not defined|missing)/i },
    ],
    supersedes: GENERAL_APP_FAILURES,
    conclusive: true,
    showLogTail: true,
    cause: 'The app stopped at start-up because the environment variable {1} is not set.',
    fix: 'Add {1} to service.env in berth.yml, or if it is sensitive declare it under service.secrets and run `berth secrets set {1} --env {env}`.',
  },
  {
    id: 'command-not-found',
    title: 'The container command does not exist in the image',
    match: [{ fields: ALL_TEXT, pattern: /exec: "([^"]+)": executable file not found in \$PATH|exec (\S+): no such file or directory/ }],
    supersedes: GENERAL_APP_FAILURES,
    conclusive: true,
    cause: 'The container\'s command "{1}" is not in the image.',
    fix: 'Install it in the Dockerfile (e.g. add it to requirements.txt) or correct CMD/ENTRYPOINT or service.command.',
  },
  {
    id: 'app-port-in-use',
    title: 'The app\'s port is taken inside the container',
    match: [{ fields: ['log'], pattern: /OSError: \[Errno 98\] (?:error while attempting to bind on address .*: )?[Aa]ddress already in use|Error: listen EADDRINUSE/ }],
    supersedes: GENERAL_APP_FAILURES,
    showLogTail: true,
    cause: 'Two processes in the container try to listen on the same port.',
    fix: 'Start one server process on port {port} (check CMD and service.command for a duplicate server start).',
  },
  {
    id: 'dependency-unreachable',
    title: 'The app cannot reach its database or cache',
    match: [
      // libpq 14+ (psycopg2/3, Django, SQLAlchemy, Rails pg); quotes may be escaped in JSON log lines.
      { fields: ['log'], pattern: /connection to server at \\?"([^"\\]+)\\?"(?: \([^)]*\))?, port (\d+) failed: (?:Connection refused|Connection timed out|timeout expired|No route to host|Cannot assign requested address)/ },
      // redis-py
      { fields: ['log'], pattern: /Error \d+ connecting to ([\w.-]+):(\d+)\. (?:Connection refused|Connection timed out|Timeout connecting to server|No route to host|Cannot assign requested address)/ },
      // asyncpg and other asyncio clients
      { fields: ['log'], pattern: /Connect call failed \('([^']+)', (5432|6379)\)/ },
      // Node (pg, ioredis, node-redis)
      { fields: ['log'], pattern: /connect (?:ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH) ([\d.]+|[\da-f:]+):(5432|6379)\b/ },
    ],
    supersedes: [...GENERAL_APP_FAILURES, 'health-dependency-down'],
    showLogTail: true,
    cause: 'The app cannot reach its database or cache: connecting to {1} port {2} fails, so it keeps waiting (or gives up) instead of serving port {port}.',
    fix: 'Connect with the variables berth sets, DATABASE_URL (or PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) and REDIS_URL, not a fixed localhost/127.0.0.1 (inside a container that is the container itself), and declare `database: postgres` / `cache: redis` in berth.yml if the app needs them; if the address is right and the server only starts slowly, retry for longer or raise service.health.gracePeriod (now {gracePeriod}s).',
  },
  {
    id: 'essential-container-exited',
    title: 'The app exited',
    match: [
      { fields: ['stoppedReason'], pattern: /Essential container in task exited/i },
      { fields: ['stopCode'], pattern: /^EssentialContainerExited$/ },
      { fields: ['containerReason', 'serviceEvent'], pattern: /\bexited(?: with code| \(|$)/i },
    ],
    showLogTail: true,
    cause: 'The app\'s process ended (exit code {exitCode}) soon after starting; its last log lines say why.',
    fix: {
      aws: 'Run it locally with `berth deploy` (environment local) and `berth logs`, fix the error in its last log lines; a web server must keep running in the foreground on port {port}.',
      local: 'Fix the error its last log lines show (`berth logs` has more); a web server must keep running in the foreground on port {port}.',
    },
    conclusive: true,
  },
  {
    id: 'elb-health-response-mismatch',
    title: 'The health check path does not answer 2xx',
    match: [
      { fields: ['targetHealthReason'], pattern: /^Target\.ResponseCodeMismatch$/ },
      { fields: HEALTH_TEXT, pattern: /Health checks failed with these codes: \[([\d, ]+)\]/i },
      { fields: ['targetHealthDescription'], pattern: /^HTTP ([1-5]\d\d)\b/ },
    ],
    supersedes: ['elb-health-checks-failed', 'container-health-check-failed'],
    groupDefaults: ['another status'],
    cause: {
      aws: 'The load balancer asked for {path} on port {port} and got {1} instead of 2xx.',
      local: 'The local load balancer asked for {path} on port {port} and got {1} instead of 2xx.',
    },
    fix: 'Add a route for {path} that answers 200 (without login or redirect), or set service.health.path to a path that does.',
  },
  {
    id: 'elb-health-timeout',
    title: 'The health check got no answer',
    match: [
      { fields: ['targetHealthReason'], pattern: /^Target\.Timeout$/ },
      { fields: ['targetHealthDescription', 'serviceEvent'], pattern: /Request timed out/i },
    ],
    supersedes: ['elb-health-checks-failed'],
    cause: {
      aws: 'The load balancer\'s requests to port {port} timed out: the app listens on another port or on 127.0.0.1 only, is too slow to answer within {timeout}s, or a security group blocks the load balancer.',
      local: 'The health checks to port {port} got no answer within {timeout}s: the app listens on another port or on 127.0.0.1 only, or is too slow to answer.',
    },
    fix: {
      aws: 'Make the app listen on 0.0.0.0:{port} (e.g. `gunicorn -b 0.0.0.0:{port}`, `uvicorn --host 0.0.0.0 --port {port}`) or set service.port to the port it uses; `berth doctor` checks this locally.',
      local: 'Make the app listen on 0.0.0.0:{port} (e.g. `gunicorn -b 0.0.0.0:{port}`, `uvicorn --host 0.0.0.0 --port {port}`) or set service.port to the port it uses; `berth doctor` shows the port it listens on.',
    },
  },
  {
    id: 'elb-health-checks-failed',
    title: { aws: 'Tasks failed the load balancer\'s health checks', local: 'Replicas failed the load balancer\'s health checks' },
    match: [
      { fields: ['targetHealthReason'], pattern: /^Target\.FailedHealthChecks$/ },
      { fields: ['stoppedReason', 'serviceEvent'], pattern: /Task failed ELB health checks|is unhealthy in \(target-group/i },
    ],
    supersedes: ['container-health-check-failed'],
    cause: {
      aws: 'The load balancer could not get a 2xx from {path} on port {port}: wrong port, no such route, too slow to start within the {gracePeriod}s grace period, or a security group blocking the load balancer.',
      local: 'The local load balancer could not get a 2xx from {path} on port {port}: wrong port, no such route, or too slow to start within the {gracePeriod}s grace period.',
    },
    fix: {
      aws: 'Run `berth doctor` to check port {port} and {path} locally; if the app needs longer to start, raise service.health.gracePeriod (now {gracePeriod}s).',
      local: 'Run `berth doctor` to see which port the app listens on and what {path} answers; if the app needs longer to start, raise service.health.gracePeriod (now {gracePeriod}s).',
    },
  },
  {
    id: 'container-health-check-failed',
    title: 'The container health check failed',
    match: [
      { fields: ['stoppedReason', 'serviceEvent', 'containerReason'], pattern: /Task failed container health checks|failed container health checks|failed the health check|\bunhealthy\b/i },
      { fields: ['log', 'serviceEvent'], pattern: /Health check failed: (?:timeout after (\d+) seconds|GET \S+ returned (\d+))/i },
    ],
    cause: 'The health check (GET {path} on port {port} from inside the container) did not answer 2xx within {timeout}s, or not within the {gracePeriod}s grace period after start.',
    fix: 'Make {path} answer 200 quickly on port {port}; if start-up is slow, raise service.health.gracePeriod (now {gracePeriod}s); if the path is slow, raise service.health.timeout (now {timeout}s).',
  },
  {
    id: 'iam-pass-role',
    target: 'aws',
    title: 'Not allowed to pass a role to ECS',
    match: [{ fields: ALL_TEXT, pattern: /is not authorized to perform: iam:PassRole on resource: (\S+)/i }],
    supersedes: ['not-authorized'],
    cause: 'Your AWS identity may not hand the role {1} to ECS (iam:PassRole), which a deploy needs for the task and execution roles.',
    fix: 'Add iam:PassRole on arn:aws:iam::<account>:role/berth-{app}-* (condition iam:PassedToService ecs-tasks.amazonaws.com) to your IAM user or role; `berth doctor --env {env}` checks it.',
  },
  {
    id: 'not-authorized-create-service',
    target: 'aws',
    title: 'Not allowed to create the ECS service',
    match: [{ fields: ALL_TEXT, pattern: /is not authorized to perform: ecs:CreateService/i }],
    supersedes: ['not-authorized'],
    cause: 'Your AWS identity may not create ECS services (ecs:CreateService).',
    fix: 'Grant your IAM user or role ECS rights (the AmazonECS_FullAccess managed policy, or ecs:* on the berth-{app}-{env} cluster); `berth doctor --env {env}` checks the rights a deploy needs.',
  },
  {
    id: 'not-authorized',
    target: 'aws',
    title: 'Missing AWS permission',
    match: [{ fields: ALL_TEXT, pattern: /is not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9*]+)/ }],
    cause: 'Your AWS identity is not allowed {1}.',
    fix: 'Grant {1} to your IAM user or role (or its permission boundary / SCP); `berth doctor --env {env}` lists every permission a deploy needs.',
  },
  {
    id: 'ecs-service-linked-role',
    target: 'aws',
    title: 'ECS has never been used in this account',
    match: [{ fields: ALL_TEXT, pattern: /Unable to assume the service linked role|service linked role.*does not exist/i }],
    supersedes: ['not-authorized'],
    cause: 'The ECS service-linked role (AWSServiceRoleForECS) does not exist yet in this account.',
    fix: 'Create it once: `aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com`, then deploy again.',
  },
  {
    id: 'quota-exceeded',
    target: 'aws',
    title: 'An AWS quota blocks the deploy',
    match: [
      { fields: ALL_TEXT, pattern: /(You've reached the limit on the number of vCPUs you can run concurrently)/i },
      { fields: ALL_TEXT, pattern: /(The maximum number of (?:VPCs|addresses|internet gateways) has been reached)/i },
      { fields: ALL_TEXT, pattern: /\b(VpcLimitExceeded|AddressLimitExceeded|TooManyLoadBalancers|NatGatewayLimitExceeded|LimitExceededException)\b/ },
    ],
    cause: 'An account quota in this region is used up: {1}.',
    fix: 'Free unused resources (old VPCs, Elastic IPs, load balancers) or request an increase in the Service Quotas console; `berth doctor --env {env}` shows the quotas that usually block a first deploy.',
  },
  {
    id: 'local-port-in-use',
    title: 'The local port is taken',
    target: 'local',
    match: [
      { fields: ALL_TEXT, pattern: /Bind for [\d.:]*:(\d+) failed: port is already allocated/i },
      { fields: ALL_TEXT, pattern: /listen tcp4? [\d.]*:(\d+): bind: address already in use/i },
      { fields: ALL_TEXT, pattern: /Port (\d+) is already in use/i },
    ],
    supersedes: ['essential-container-exited'],
    cause: 'Another program on this machine already uses port {1}.',
    fix: 'Stop the program using port {1} (`lsof -i :{1}`), or set local.port in berth.yml to a free port (now {localPort}).',
  },
];
