/** Names and labels of everything berth creates on the local engine for one app and environment. */

export const LABEL_APP = 'org.berth.app';
export const LABEL_ENV = 'org.berth.env';
export const LABEL_RELEASE = 'org.berth.release';
export const LABEL_ROLE = 'org.berth.role';

export type LocalRole = 'app' | 'database' | 'cache' | 'network';

/** `berth-<app>-<env>`: the prefix of every container, volume and network name. */
export function localPrefix(app: string, env: string): string {
  return `berth-${app}-${env}`;
}

export function networkName(app: string, env: string): string {
  return `${localPrefix(app, env)}-net`;
}

/** The image repository of an app's local releases: `berth-<app>`, tags `<env>-release-<n>`. */
export function releaseImageTag(app: string, env: string, release: number): string {
  return `berth-${app}:${env}-release-${release}`;
}

export function labelsFor(app: string, env: string, role: LocalRole, release?: number): Record<string, string> {
  const labels: Record<string, string> = { [LABEL_APP]: app, [LABEL_ENV]: env, [LABEL_ROLE]: role };
  if (release !== undefined) labels[LABEL_RELEASE] = String(release);
  return labels;
}
