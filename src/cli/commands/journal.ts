/** The progress journal of a command's environment (src/terminal/progress-journal.ts), loaded when an operation runs. */
import type { ResolvedConfig } from '../../config/model.js';
import type { DeployOutcome, RollbackRequest, TargetOperations } from '../../targets/operations.js';
import type { JournalRun } from '../../terminal/progress-journal.js';
import type { Progress } from '../progress.js';

export async function journalFor(config: ResolvedConfig, command: string, progress: Progress): Promise<JournalRun> {
  const [{ recordProgress }, { progressJournalPath }] = await Promise.all([import('../../terminal/progress-journal.js'), import('../../targets/state-files.js')]);
  return recordProgress(progressJournalPath(config), command, progress);
}

/** A rollback as `berth rollback` runs it (and `berth ui`'s button): the target's rollback, recorded in the journal. */
export async function rollbackRecorded(config: ResolvedConfig, operations: TargetOperations, request: RollbackRequest, progress: Progress): Promise<DeployOutcome> {
  const journal = await journalFor(config, 'rollback', progress);
  return journal.track(() => operations.rollback(request, journal.progress));
}
