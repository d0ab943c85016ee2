/** Labels on everything berth creates on the local engine (containers, volumes, networks, images). */

export const LABEL_APP = 'org.berth.app';
export const LABEL_ENV = 'org.berth.env';
export const LABEL_RELEASE = 'org.berth.release';
export const LABEL_ROLE = 'org.berth.role';
/** The berth service a replica belongs to (web, worker, ...); absent on dependencies and the network. */
export const LABEL_SERVICE = 'org.berth.service';
/** Absolute path of the berth.yml that owns the environment (two folders may use the same app name). */
export const LABEL_PROJECT = 'org.berth.project';
/** Marks the Debian-built stand-ins of official images used offline (scripts/offline-images.sh). */
export const LABEL_STAND_IN = 'org.berth.stand-in';
/** On a doctor's throw-away dependency container: which dependency it stands for. */
export const LABEL_DOCTOR_DEPENDENCY = 'org.berth.doctor.dependency';
/**
 * On everything a doctor's probe creates: the `berth doctor` process that owns it (`<pid>:<start time>`), so a later
 * probe can tell what a killed one left behind (doctor/abandoned-probes.ts).
 */
export const LABEL_DOCTOR_RUN = 'org.berth.doctor.run';

/**
 * What a container or resource is for. app: a replica of a web or worker service; job: a run of a job or
 * of `release.before`; task: a one-off `berth run`; doctor: the doctor's probe and throw-away dependencies.
 */
export type LocalRole = 'app' | 'job' | 'task' | 'database' | 'cache' | 'network' | 'balancer' | 'doctor';

export interface LabelOptions {
  release?: number;
  service?: string;
  project?: string;
  /** The doctor run that owns a probe's container or network (LABEL_DOCTOR_RUN). */
  doctorRun?: string;
}

export function labelsFor(app: string, env: string, role: LocalRole, options: LabelOptions = {}): Record<string, string> {
  const labels: Record<string, string> = { [LABEL_APP]: app, [LABEL_ENV]: env, [LABEL_ROLE]: role };
  if (options.release !== undefined) labels[LABEL_RELEASE] = String(options.release);
  if (options.service !== undefined) labels[LABEL_SERVICE] = options.service;
  if (options.project !== undefined) labels[LABEL_PROJECT] = options.project;
  if (options.doctorRun !== undefined) labels[LABEL_DOCTOR_RUN] = options.doctorRun;
  return labels;
}

/** Engine API label filters (`key=value`) selecting an environment's containers, optionally of one role. */
export function labelFilters(app: string, env: string, role?: LocalRole, service?: string): string[] {
  return [
    `${LABEL_APP}=${app}`,
    `${LABEL_ENV}=${env}`,
    ...(role ? [`${LABEL_ROLE}=${role}`] : []),
    ...(service ? [`${LABEL_SERVICE}=${service}`] : []),
  ];
}
