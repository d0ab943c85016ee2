/**
 * The table of known failures: what a failed deploy says (ECS, ELB, CloudFormation, the local engine, the
 * app's own log) mapped to a plain-language cause and a concrete fix. Data only; diagnose.ts applies it.
 *
 * Text in `cause` and `fix` may use placeholders filled from the configuration and the match:
 * {port} {path} {arch} {platform} {otherPlatform} {memory} {memoryDouble} {cpu} {gracePeriod} {timeout} {app} {env}
 * {localPort} {tasks} {egress} {exitCode}, and {1} {2} ... for the pattern's capture groups.
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
  | 'build';

export interface EvidenceMatcher {
  /** The fields to search; any one matching is enough. */
  fields: EvidenceField[];
  /** For text fields. */
  pattern?: RegExp;
  /** For the exitCode field. */
  exitCode?: number;
}

export interface KnownFailure {
  id: string;
  /** Short name shown as the heading. */
  title: string;
  /** The entry applies when any matcher matches. */
  match: EvidenceMatcher[];
  /** Only for failures on this target. */
  target?: 'aws' | 'local';
  /** More general entries this one explains better; they are dropped when this one applies. */
  supersedes?: string[];
  cause: string;
  fix: string;
  /** Show the app's last log lines with the diagnosis. */
  showLogTail?: boolean;
  /** Text for {1}, {2}, ... when the matcher that applied captured nothing. */
  groupDefaults?: string[];
}

const ALL_TEXT: EvidenceField[] = ['stoppedReason', 'containerReason', 'serviceEvent', 'stackEvent', 'log', 'build'];
const TASK_TEXT: EvidenceField[] = ['stoppedReason', 'containerReason', 'serviceEvent'];
const HEALTH_TEXT: EvidenceField[] = ['targetHealthReason', 'targetHealthDescription', 'serviceEvent', 'stoppedReason'];

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
    cause: 'The image has no variant for {1}; it was built for another architecture (typically arm64 on an Apple Silicon Mac) than the tasks run on ({platform}).',
    fix: 'Build for the task platform: let berth build it (it passes --platform {platform}), or `docker build --platform {platform}`; make sure no FROM line pins --platform={otherPlatform}. To run on Graviton instead, set service.arch: arm64.',
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
    id: 'exec-format-error',
    title: 'Binary for another CPU architecture',
    match: [{ fields: ALL_TEXT, pattern: /exec format error/i }],
    supersedes: ['essential-container-exited'],
    cause: 'The container\'s entrypoint is a program for another CPU architecture than {platform} (an image built on an Apple Silicon Mac runs arm64 code), or a script without a "#!" line.',
    fix: 'Build the image for {platform} (`docker build --platform {platform}` or let berth build it) and check that no FROM line pins another platform; if the entrypoint is a script, start it with "#!/bin/sh". To run on arm64 (Graviton), set service.arch: arm64.',
  },
  {
    id: 'image-not-found',
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
    title: 'No network route to the registry',
    match: [
      { fields: TASK_TEXT, pattern: /CannotPullContainerError:.*(?:i\/o timeout|dial tcp|context deadline exceeded|TLS handshake timeout|connection refused|RequestCanceled)/i },
      { fields: ['build'], pattern: /net\/http: TLS handshake timeout/i },
    ],
    supersedes: ['image-pull-failed'],
    cause: 'The task could not reach the registry: tasks in {tasks} subnets with egress "{egress}" have no route to ECR (no public IP, NAT gateway or VPC endpoints), or a security group blocks outbound HTTPS.',
    fix: 'Use network.tasks: public (tasks get a public IP), or keep private tasks and set network.egress: endpoints (ECR api/dkr, S3, Logs, Secrets Manager endpoints) or nat; allow outbound 443 in the task security group.',
  },
  {
    id: 'image-pull-failed',
    title: 'The image could not be pulled',
    match: [{ fields: TASK_TEXT, pattern: /CannotPullContainerError/i }],
    cause: 'ECS could not pull the container image: it does not exist, the execution role may not read it, or the task has no route to the registry.',
    fix: 'Check the image exists (`aws ecr describe-images --repository-name berth-{app}`), that the task execution role has ECR pull rights, and that tasks can reach ECR (network.tasks public, or network.egress endpoints/nat).',
  },
  {
    id: 'secret-not-found',
    title: 'A secret does not exist',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError:.*(?:ResourceNotFoundException|ParameterNotFound|can't find the specified secret)/i }],
    supersedes: ['secrets-access-denied', 'resource-initialization-failed'],
    cause: 'The task refers to a secret that has no value in Secrets Manager yet (or was deleted).',
    fix: 'Set every declared secret before deploying: `berth secrets set NAME --env {env}`; `berth doctor --env {env}` lists the missing ones.',
  },
  {
    id: 'secrets-access-denied',
    title: 'Not allowed to read the secrets',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError:.*(?:secret|ssm|asm).*(?:AccessDenied|not authorized to perform: (\S+))/i }],
    supersedes: ['resource-initialization-failed'],
    cause: 'The task execution role may not read the app\'s secrets (secretsmanager:GetSecretValue or ssm:GetParameters, and kms:Decrypt for a customer key).',
    fix: 'Let berth manage the secrets (names berth/{app}/{env}/NAME; it grants the execution role read access to exactly those); a secret made outside berth needs the same grant on the execution role.',
  },
  {
    id: 'secrets-unreachable',
    title: 'No network route to Secrets Manager or ECR',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError: unable to pull secrets or registry auth:.*(?:i\/o timeout|context deadline exceeded|RequestCanceled|RequestError|dial tcp|check your task network configuration)/i }],
    supersedes: ['resource-initialization-failed', 'image-pull-network'],
    cause: 'Before starting the container, ECS fetches the secrets and the registry login; the task\'s subnets ({tasks}, egress "{egress}") have no route to Secrets Manager/ECR.',
    fix: 'Use network.tasks: public, or for private tasks set network.egress: endpoints (berth adds Secrets Manager, ECR and Logs endpoints) or nat; make sure the endpoints\' security group allows 443 from the tasks.',
  },
  {
    id: 'logs-setup-failed',
    title: 'The log stream could not be created',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError: failed to validate logger args:.*(AccessDeniedException|log group does not exist|i\/o timeout|context deadline exceeded)/i }],
    supersedes: ['resource-initialization-failed'],
    cause: 'ECS could not set up the awslogs driver ({1}): the log group /berth/{app}/{env} is missing, the execution role lacks logs:CreateLogStream/PutLogEvents, or private tasks have no route to CloudWatch Logs.',
    fix: 'Deploy with berth (it creates the log group and the grant); for private tasks set network.egress: endpoints or nat.',
  },
  {
    id: 'resource-initialization-failed',
    title: 'The task could not be initialized',
    match: [{ fields: TASK_TEXT, pattern: /ResourceInitializationError/i }],
    cause: 'ECS could not prepare the task (secrets, registry login, logs or volumes) before starting the container.',
    fix: 'Check the execution role\'s rights to ECR, Secrets Manager and CloudWatch Logs, and that the task subnets can reach them (network.tasks public, or network.egress endpoints/nat).',
  },
  {
    id: 'out-of-memory',
    title: 'Out of memory',
    match: [
      { fields: TASK_TEXT, pattern: /OutOfMemoryError|Container killed due to memory usage|OOMKilled/i },
      { fields: ['exitCode'], exitCode: 137 },
      { fields: ['log'], pattern: /MemoryError|JavaScript heap out of memory|Killed$/ },
    ],
    supersedes: ['essential-container-exited'],
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
    supersedes: ['essential-container-exited', 'container-health-check-failed', 'elb-health-checks-failed'],
    showLogTail: true,
    cause: 'The app stopped at start-up because the environment variable {1} is not set.',
    fix: 'Add {1} to service.env in berth.yml, or if it is sensitive declare it under service.secrets and run `berth secrets set {1} --env {env}`.',
  },
  {
    id: 'command-not-found',
    title: 'The container command does not exist in the image',
    match: [{ fields: ALL_TEXT, pattern: /exec: "([^"]+)": executable file not found in \$PATH|exec (\S+): no such file or directory/ }],
    supersedes: ['essential-container-exited'],
    cause: 'The container\'s command "{1}" is not in the image.',
    fix: 'Install it in the Dockerfile (e.g. add it to requirements.txt) or correct CMD/ENTRYPOINT or service.command.',
  },
  {
    id: 'app-port-in-use',
    title: 'The app\'s port is taken inside the container',
    match: [{ fields: ['log'], pattern: /OSError: \[Errno 98\] (?:error while attempting to bind on address .*: )?[Aa]ddress already in use|Error: listen EADDRINUSE/ }],
    supersedes: ['essential-container-exited'],
    showLogTail: true,
    cause: 'Two processes in the container try to listen on the same port.',
    fix: 'Start one server process on port {port} (check CMD and service.command for a duplicate server start).',
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
    fix: 'Run it locally with `berth deploy` (environment local) and `berth logs`, fix the error in its last log lines; a web server must keep running in the foreground on port {port}.',
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
    cause: 'The load balancer asked for {path} on port {port} and got {1} instead of 2xx.',
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
    cause: 'The load balancer\'s requests to port {port} timed out: the app listens on another port or on 127.0.0.1 only, is too slow to answer within {timeout}s, or a security group blocks the load balancer.',
    fix: 'Make the app listen on 0.0.0.0:{port} (e.g. `gunicorn -b 0.0.0.0:{port}`, `uvicorn --host 0.0.0.0 --port {port}`) or set service.port to the port it uses; `berth doctor` checks this locally.',
  },
  {
    id: 'elb-health-checks-failed',
    title: 'Tasks failed the load balancer\'s health checks',
    match: [
      { fields: ['targetHealthReason'], pattern: /^Target\.FailedHealthChecks$/ },
      { fields: ['stoppedReason', 'serviceEvent'], pattern: /Task failed ELB health checks|is unhealthy in \(target-group/i },
    ],
    supersedes: ['container-health-check-failed'],
    cause: 'The load balancer could not get a 2xx from {path} on port {port}: wrong port, no such route, too slow to start within the {gracePeriod}s grace period, or a security group blocking the load balancer.',
    fix: 'Run `berth doctor` to check port {port} and {path} locally; if the app needs longer to start, raise service.health.gracePeriod (now {gracePeriod}s).',
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
    title: 'Not allowed to pass a role to ECS',
    match: [{ fields: ALL_TEXT, pattern: /is not authorized to perform: iam:PassRole on resource: (\S+)/i }],
    supersedes: ['not-authorized'],
    cause: 'Your AWS identity may not hand the role {1} to ECS (iam:PassRole), which a deploy needs for the task and execution roles.',
    fix: 'Add iam:PassRole on arn:aws:iam::<account>:role/berth-{app}-* (condition iam:PassedToService ecs-tasks.amazonaws.com) to your IAM user or role; `berth doctor --env {env}` checks it.',
  },
  {
    id: 'not-authorized-create-service',
    title: 'Not allowed to create the ECS service',
    match: [{ fields: ALL_TEXT, pattern: /is not authorized to perform: ecs:CreateService/i }],
    supersedes: ['not-authorized'],
    cause: 'Your AWS identity may not create ECS services (ecs:CreateService).',
    fix: 'Grant your IAM user or role ECS rights (the AmazonECS_FullAccess managed policy, or ecs:* on the berth-{app}-{env} cluster); `berth doctor --env {env}` checks the rights a deploy needs.',
  },
  {
    id: 'not-authorized',
    title: 'Missing AWS permission',
    match: [{ fields: ALL_TEXT, pattern: /is not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9*]+)/ }],
    cause: 'Your AWS identity is not allowed {1}.',
    fix: 'Grant {1} to your IAM user or role (or its permission boundary / SCP); `berth doctor --env {env}` lists every permission a deploy needs.',
  },
  {
    id: 'ecs-service-linked-role',
    title: 'ECS has never been used in this account',
    match: [{ fields: ALL_TEXT, pattern: /Unable to assume the service linked role|service linked role.*does not exist/i }],
    supersedes: ['not-authorized'],
    cause: 'The ECS service-linked role (AWSServiceRoleForECS) does not exist yet in this account.',
    fix: 'Create it once: `aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com`, then deploy again.',
  },
  {
    id: 'quota-exceeded',
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
