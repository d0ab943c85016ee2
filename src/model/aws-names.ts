/**
 * Every AWS name berth derives from the app, the environment and a service (docs/architecture.md).
 * The constructs, deploy, status, logs, destroy, the doctor and the CI stack read these; nothing re-derives them.
 */

export const REGISTRY_STACK_SUFFIX = 'registry';
export const CI_STACK_SUFFIX = 'ci';

/** The service created by the single-service shorthand `service:`; it keeps the names berth used before `services:`. */
export const PRIMARY_SERVICE_NAME = 'web';

/** Prefix of every named AWS resource of an app (stacks, roles, clusters). */
export function awsAppPrefix(app: string): string {
  return `berth-${app}`;
}

export function registryStackName(app: string): string {
  return `${awsAppPrefix(app)}-${REGISTRY_STACK_SUFFIX}`;
}

export function ciStackName(app: string): string {
  return `${awsAppPrefix(app)}-${CI_STACK_SUFFIX}`;
}

export function environmentStackName(app: string, env: string): string {
  return `${awsAppPrefix(app)}-${env}`;
}

/** IAM roles berth creates are named under this prefix (iam:PassRole checks use it). */
export function roleNamePattern(app: string): string {
  return `${awsAppPrefix(app)}-*`;
}

export function repositoryName(app: string): string {
  return `berth/${app}`;
}

export function secretsPrefix(app: string, env: string): string {
  return `berth/${app}/${env}/`;
}

export function secretName(app: string, env: string, name: string): string {
  return `${secretsPrefix(app, env)}${name}`;
}

export function logGroupName(app: string, env: string): string {
  return `/berth/${app}/${env}`;
}

/** SSM path of an environment's release records. */
export function releasesParameterPath(app: string, env: string): string {
  return `/berth/${app}/${env}/releases`;
}

/** One release record; zero-padded so names sort like numbers. */
export function releaseParameterName(app: string, env: string, number: number): string {
  return `${releasesParameterPath(app, env)}/${String(number).padStart(6, '0')}`;
}

/** Names of one service's ECS pieces. The primary service keeps the single-service names, so existing stacks update in place. */
export interface AwsServiceNames {
  /** ECS service name and task family (one revision per release). */
  ecsService: string;
  family: string;
  /** Container name inside the task definition. */
  container: string;
  /** awslogs stream prefix: streams are `<prefix>/<container>/<task id>`. */
  logStreamPrefix: string;
  /** CDK construct id of the service inside the environment stack (stable logical ids). */
  constructId: string;
}

export function awsServiceNames(app: string, env: string, service: string): AwsServiceNames {
  const stack = environmentStackName(app, env);
  if (service === PRIMARY_SERVICE_NAME) {
    return { ecsService: stack, family: stack, container: 'app', logStreamPrefix: 'app', constructId: 'Service' };
  }
  const pascal = service.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
  return { ecsService: `${stack}-${service}`, family: `${stack}-${service}`, container: service, logStreamPrefix: service, constructId: `Service${pascal}` };
}

/**
 * A CloudWatch alarm of an environment: `berth-<app>-<env>-<what>`, or `<ECS service name>-<what>` for one service's
 * alarm (`berth-<app>-<env>-<what>` for the service named web, `berth-<app>-<env>-<service>-<what>` for the others).
 * ECS deployment alarms name them literally, so they never change with the template.
 */
export function alarmName(app: string, env: string, what: string, service?: string): string {
  return `${service ? awsServiceNames(app, env, service).ecsService : environmentStackName(app, env)}-${what}`;
}

/** The CloudWatch dashboard of an environment. */
export function dashboardName(app: string, env: string): string {
  return environmentStackName(app, env);
}

/** ECS cluster of an environment: one per environment, shared by its services. */
export function clusterName(app: string, env: string): string {
  return environmentStackName(app, env);
}

/** Cloud Map / Service Connect namespace of an environment: services reach each other as http://<service>:<port>. */
export function serviceDiscoveryNamespace(app: string, env: string): string {
  return `${app}-${env}.berth.internal`;
}

/** The CDK context key holding the image to run: `<repositoryUri>@sha256:<digest>`. */
export const IMAGE_CONTEXT_KEY = 'berth:image';

/** Stands in for a pushed image's digest when plan runs before the first build. */
export const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;

const IMAGE_BY_DIGEST = /^(?<repository>[^@\s]+)@(?<digest>sha256:[0-9a-f]{64})$/;

/** Split `<repositoryUri>@sha256:<digest>`, or undefined when the text is not an image by digest. */
export function parseImageByDigest(image: string): { repository: string; digest: string } | undefined {
  const match = IMAGE_BY_DIGEST.exec(image.trim());
  if (!match?.groups) return undefined;
  return { repository: match.groups.repository!, digest: match.groups.digest! };
}

/** The IAM role a GitHub Actions job assumes to deploy one environment (or every environment of a template). */
export function ciRoleName(app: string, envOrTemplate: string): string {
  return `${awsAppPrefix(app)}-${CI_STACK_SUFFIX}-${envOrTemplate}`;
}

/** CDK's bootstrap qualifier: berth synthesizes with the default stack synthesizer, so its roles carry this one. */
export const CDK_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** Names of the one-off task `release.before` runs with the new image before any service changes (docs/aws.md). */
export interface AwsTaskNames {
  family: string;
  container: string;
  logStreamPrefix: string;
  /** CDK construct id inside the environment stack. */
  constructId: string;
}

export function releaseBeforeTaskNames(app: string, env: string): AwsTaskNames {
  return { family: `${environmentStackName(app, env)}-release-before`, container: 'release-before', logStreamPrefix: 'release-before', constructId: 'ReleaseBefore' };
}

/**
 * The ECS task group of one-off tasks berth starts itself (`release.before`, `berth run`): scheduled job runs keep
 * ECS's default group `family:<family>`, which is what a job's timeout watches, so one-off tasks are not stopped by it.
 */
export function oneOffTaskGroup(kind: 'release-before' | 'run', service?: string): string {
  return service ? `berth-${kind}:${service}` : `berth-${kind}`;
}

/** The ECS task group of a job's scheduled runs (ECS's default for RunTask). */
export function jobTaskGroup(family: string): string {
  return `family:${family}`;
}

/**
 * Stack outputs that exist once per service: the service named `web` keeps the single-service names
 * (`TargetGroupArn`), the others carry the service's construct id (`ServiceApiTargetGroupArn`).
 */
export type ServiceOutput = 'TargetGroupArn' | 'TargetGroupFullName' | 'SecurityGroupId' | 'AlternateTargetGroupArn';

export function serviceOutputName(app: string, env: string, service: string, output: ServiceOutput): string {
  const { constructId } = awsServiceNames(app, env, service);
  return constructId === 'Service' ? output : `${constructId}${output}`;
}
