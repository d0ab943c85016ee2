/**
 * Ctrl-C / SIGTERM during a local deploy or rollback: the first signal asks the target to stop the rollout and
 * undo it (the outcome says what was undone; exit 130); a second one exits at once, and the next berth command on
 * the environment cleans up what was left. Other targets keep the default (the process ends).
 */
import { EXIT_INTERRUPTED } from '../../errors.js';
import { printError } from '../output.js';

export interface Interrupt {
  signal?: AbortSignal;
  dispose(): void;
}

export function interruptible(enabled: boolean): Interrupt {
  if (!enabled) return { dispose: () => undefined };
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      printError(`${name} again: exiting now; the next berth command on this environment cleans up what is left`);
      process.exit(EXIT_INTERRUPTED);
    }
    printError(`${name}: stopping the rollout and undoing it (${name === 'SIGINT' ? 'Ctrl-C' : name} again exits at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
