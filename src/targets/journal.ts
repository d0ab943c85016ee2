/** The progress journal of a command's environment (src/terminal/progress-journal.ts), loaded when an operation runs. */
import type { ResolvedConfig } from '../config/model.js';
import { stateFile } from '../model/index.js';
import type { DeployOutcome, RollbackRequest, TargetOperations } from './operations.js';
import type { Progress } from '../terminal/progress.js';
import type { JournalRun } from '../terminal/progress-journal.js';

/** <state>/<target>/<app>/<env>/progress.jsonl (src/model/state-paths.ts). */
export function progressJournalPath(config: Pick<ResolvedConfig, 'target' | 'app' | 'env'>): string {
  return stateFile(config.target, config.app, config.env, 'progressJournal');
}

export async function journalFor(config: ResolvedConfig, command: string, progress: Progress): Promise<JournalRun> {
  const { recordProgress } = await import('../terminal/progress-journal.js');
  return recordProgress(progressJournalPath(config), command, progress);
}

/** A rollback as `berth rollback` runs it (and `berth ui`'s button): the target's rollback, recorded in the journal. */
export async function rollbackRecorded(config: ResolvedConfig, operations: TargetOperations, request: RollbackRequest, progress: Progress): Promise<DeployOutcome> {
  const journal = await journalFor(config, 'rollback', progress);
  return journal.track(() => operations.rollback(request, journal.progress));
}
