/**
 * The terminal a one-off command (`berth run`, `berth exec`) talks to: the command's output goes straight to
 * stdout/stderr (it is the user's, not berth's). With a terminal on both ends it gets a TTY and raw keystrokes
 * (Ctrl-C reaches the command, as with `docker run -it`); with piped input it reads that input; with a terminal
 * on stdin but stdout piped it gets no input, as `docker run` without -i.
 */

export interface TerminalIO {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  tty: boolean;
}

export function commandTerminal(): { io: TerminalIO; restore: () => void } {
  const stdin = process.stdin;
  const tty = Boolean(stdin.isTTY && process.stdout.isTTY);
  const forwardInput = tty || !stdin.isTTY;
  if (tty) stdin.setRawMode(true);
  if (forwardInput) stdin.resume();
  return {
    io: { ...(forwardInput ? { stdin } : {}), stdout: process.stdout, stderr: process.stderr, tty },
    restore: () => {
      if (tty) stdin.setRawMode(false);
      // Nothing may keep berth alive once the command ended.
      stdin.pause();
      if (!stdin.isTTY) stdin.destroy();
    },
  };
}
