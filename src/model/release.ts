/** A numbered release of an environment, the same record on both targets. */

/**
 * deploying: a deploy of it is under way; deployed: serving now; superseded: served before;
 * failed: never became healthy; rolled-back: AWS's circuit breaker undid it; interrupted: the deploy
 * was stopped (Ctrl-C, killed) before it finished — its number is never reused.
 */
export type ReleaseStatus = 'deploying' | 'deployed' | 'failed' | 'rolled-back' | 'superseded' | 'interrupted';

/** One numbered release of an environment. */
export interface Release {
  /** 1, 2, 3, ... per environment. */
  number: number;
  /** The image as deployed: repository@sha256:... (AWS) or a local image id/tag. */
  image: string;
  digest: string;
  gitSha?: string;
  /** ISO 8601. */
  createdAt: string;
  /** Who deployed it (user name or IAM principal). */
  createdBy: string;
  /** A rollback records which release it restored. */
  rollbackOf?: number;
  /** 'deploying' while a deploy of it is under way (or was interrupted). */
  status: ReleaseStatus;
  /** Why a failed release failed, in one line (e.g. its `release.before` task exited 3). */
  reason?: string;
  /**
   * AWS: the task definition revision each web and worker service ran when the release became healthy (a release
   * covers every service; a rollback deploys the release's image to all of them again).
   */
  services?: ReleaseService[];
}

export interface ReleaseService {
  name: string;
  /** The task definition ARN with its revision. */
  taskDefinition: string;
}
