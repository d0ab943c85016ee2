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

/**
 * An AbortSignal for Ctrl-C / SIGTERM: the first aborts it (after `onFirst`), a second exits 130 at once (after
 * `onSecond`). `dispose` gives the signals back to their default.
 */
export function abortOnSignal(say: { onFirst?: (name: NodeJS.Signals) => void; onSecond?: (name: NodeJS.Signals) => void } = {}): Interrupt & { signal: AbortSignal } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      say.onSecond?.(name);
      process.exit(EXIT_INTERRUPTED);
    }
    say.onFirst?.(name);
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

export function interruptible(enabled: boolean): Interrupt {
  if (!enabled) return { dispose: () => undefined };
  return abortOnSignal({
    onFirst: (name) => printError(`${name}: stopping the rollout and undoing it (${name === 'SIGINT' ? 'Ctrl-C' : name} again exits at once)`),
    onSecond: (name) => printError(`${name} again: exiting now; the next berth command on this environment cleans up what is left`),
  });
}
