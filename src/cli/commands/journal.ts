/** The progress journal of a command's environment (src/terminal/progress-journal.ts), loaded when an operation runs. */
import type { ResolvedConfig } from '../../config/model.js';
import type { JournalRun } from '../../terminal/progress-journal.js';
import type { Progress } from '../progress.js';

export async function journalFor(config: ResolvedConfig, command: string, progress: Progress): Promise<JournalRun> {
  const [{ recordProgress }, { progressJournalPath }] = await Promise.all([import('../../terminal/progress-journal.js'), import('../../targets/state-files.js')]);
  return recordProgress(progressJournalPath(config), command, progress);
}
