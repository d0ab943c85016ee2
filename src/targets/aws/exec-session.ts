/**
 * `berth exec` on AWS: ECS Exec through AWS Systems Manager. ECS's ExecuteCommand opens a session; the Session
 * Manager plugin (`session-manager-plugin`, the program the AWS CLI uses for the same) carries the terminal. berth
 * starts the plugin with the session exactly as `aws ecs execute-command` does. ECS Exec does not report the remote
 * command's exit code: berth exits with the plugin's (0 when the session ended normally).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProcessIO } from '../operations.js';

export const SESSION_PLUGIN = 'session-manager-plugin';

export const SESSION_PLUGIN_INSTALL = 'install the Session Manager plugin and make sure session-manager-plugin is on PATH: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html (macOS: `brew install --cask session-manager-plugin`; Debian/Ubuntu: the session-manager-plugin.deb from that page, `sudo dpkg -i session-manager-plugin.deb`)';

/** The plugin's path on PATH, or undefined. */
export function findSessionPlugin(path = process.env.PATH ?? ''): string | undefined {
  for (const folder of path.split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, SESSION_PLUGIN);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export interface ExecSession {
  sessionId: string;
  streamUrl: string;
  tokenValue: string;
}

/** The plugin's arguments as the AWS CLI passes them for ECS Exec (pure). */
export function sessionPluginArgs(session: ExecSession, options: { region: string; cluster: string; taskId: string; runtimeId: string; profile?: string; endpoint: string }): string[] {
  return [
    JSON.stringify({ SessionId: session.sessionId, StreamUrl: session.streamUrl, TokenValue: session.tokenValue }),
    options.region,
    'StartSession',
    options.profile ?? '',
    JSON.stringify({ Target: `ecs:${options.cluster}_${options.taskId}_${options.runtimeId}` }),
    options.endpoint,
  ];
}

/** The command as one string for ExecuteCommand: arguments with spaces or quotes are single-quoted (pure). */
export function execCommandText(command: readonly string[]): string {
  return command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'"'"'`)}'`)).join(' ');
}

export interface SessionPlugin {
  find(): string | undefined;
  /** Runs the plugin with the user's terminal; resolves with its exit code. */
  run(plugin: string, args: string[], io: ProcessIO, signal: AbortSignal): Promise<number>;
}

export const sessionPlugin: SessionPlugin = {
  find: () => findSessionPlugin(),
  run: (plugin, args, io, signal) => new Promise((resolve, reject) => {
    // An interactive session needs the real terminal (raw mode); otherwise the streams are piped.
    const interactive = io.tty && io.stdout === process.stdout;
    const child = spawn(plugin, args, { stdio: interactive ? 'inherit' : ['pipe', 'pipe', 'pipe'] });
    if (!interactive) {
      child.stdout?.pipe(io.stdout, { end: false });
      child.stderr?.pipe(io.stderr, { end: false });
      if (io.stdin && child.stdin) io.stdin.pipe(child.stdin);
      else child.stdin?.end();
    }
    const stop = () => child.kill('SIGTERM');
    signal.addEventListener('abort', stop, { once: true });
    child.on('error', reject);
    child.on('close', (code, killed) => {
      signal.removeEventListener('abort', stop);
      resolve(code ?? (killed ? 130 : 1));
    });
  }),
};
