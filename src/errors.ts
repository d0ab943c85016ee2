/**
 * Errors meant for people. Each carries the exit code the CLI returns:
 * 2 for usage and configuration errors, 1 for operations that failed.
 */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C or SIGTERM (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

export class BerthError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
    /** What to do about it, one line. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'BerthError';
  }
}

/** The command line or the configuration is wrong: exit 2. */
export class UsageError extends BerthError {
  constructor(message: string, hint?: string) {
    super(message, EXIT_USAGE, hint);
    this.name = 'UsageError';
  }
}

/** Something berth tried did not work: exit 1. */
export class OperationError extends BerthError {
  constructor(message: string, hint?: string) {
    super(message, EXIT_FAILED, hint);
    this.name = 'OperationError';
  }
}
