/** AWS names berth derives from the app and environment (docs/architecture.md); deploy, status and destroy read the same. */

export const REGISTRY_STACK_SUFFIX = 'registry';

export function registryStackName(app: string): string {
  return `berth-${app}-${REGISTRY_STACK_SUFFIX}`;
}

export function environmentStackName(app: string, env: string): string {
  return `berth-${app}-${env}`;
}

export function repositoryName(app: string): string {
  return `berth/${app}`;
}

export function secretName(app: string, env: string, name: string): string {
  return `berth/${app}/${env}/${name}`;
}

/** The SSM path under which an environment's release history lives (one parameter per release). */
export function releasesPath(app: string, env: string): string {
  return `/berth/${app}/${env}/releases`;
}

export function logGroupName(app: string, env: string): string {
  return `/berth/${app}/${env}`;
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

/** The stack of the CI deploy roles and the GitHub OIDC provider (`berth ci github --deploy`). */
export function ciStackName(app: string): string {
  return `berth-${app}-ci`;
}

/** The IAM role a GitHub Actions job assumes to deploy one environment (or every environment of a template). */
export function ciRoleName(app: string, envOrTemplate: string): string {
  return `berth-${app}-ci-${envOrTemplate}`;
}

/** CDK's bootstrap qualifier: berth synthesizes with the default stack synthesizer, so its roles carry this one. */
export const CDK_BOOTSTRAP_QUALIFIER = 'hnb659fds';
