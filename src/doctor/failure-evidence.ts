/**
 * What a failed deploy left behind, gathered by a target (AWS or local) and read by the doctor's
 * table of known failures. Plain data: targets fill it, diagnosis is a pure function of it.
 */
import type { ListeningSocket } from './listening-sockets.js';

export interface StoppedTaskEvidence {
  /** Task id or local replica name. */
  id: string;
  /** ECS stoppedReason, e.g. "Essential container in task exited" or "CannotPullContainerError: ...". */
  stoppedReason?: string;
  /** ECS stopCode, e.g. "TaskFailedToStart", "EssentialContainerExited". */
  stopCode?: string;
  containers: Array<{ name: string; exitCode?: number; reason?: string }>;
}

export interface TargetHealthEvidence {
  target: string;
  /** healthy | unhealthy | initial | draining | unused | unavailable */
  state: string;
  /** ELB reason code, e.g. "Target.ResponseCodeMismatch", "Target.Timeout". */
  reason?: string;
  description?: string;
}

export interface FailureEvidence {
  target: 'aws' | 'local';
  stoppedTasks: StoppedTaskEvidence[];
  /** ECS service events or local rollout events, newest first. */
  serviceEvents: string[];
  targetHealth: TargetHealthEvidence[];
  /** CloudFormation resource failures: "LogicalId: status: reason". */
  stackEvents: string[];
  /** Last lines the app printed (already free of secret values). */
  logTail: string[];
  /** Build or push output lines that failed, if the failure came before the deploy. */
  buildOutput?: string[];
  /** The service whose replica or task failed: its port, health check and command fill the diagnosis. */
  service?: string;
  /** The TCP sockets the failed container listened on when the rollout stopped (a cheap probe of /proc/net/tcp). */
  listening?: ListeningSocket[];
  /** The failed container's ENTRYPOINT and CMD as the engine ran them (empty arrays: none). */
  command?: { entrypoint: string[]; cmd: string[] };
  /** How a failed build ran: with BuildKit or the classic builder, and the BuildKit-only Dockerfile features it uses. */
  builder?: { buildkit: boolean; dockerfileFeatures: string[] };
}

export function emptyEvidence(target: 'aws' | 'local'): FailureEvidence {
  return { target, stoppedTasks: [], serviceEvents: [], targetHealth: [], stackEvents: [], logTail: [] };
}
