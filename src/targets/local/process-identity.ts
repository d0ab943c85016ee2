/**
 * Proof that a pid is still the process berth started: its start time and command line, recorded when the
 * process wrote its pid file and compared before berth sends it a signal. A pid alone can be reused by an
 * unrelated process once the recorded one is gone; berth never signals a pid whose identity does not match.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Linux: clock ticks since boot from /proc/<pid>/stat (field 22); elsewhere `ps -o lstart`. */
  startTime: string;
  /** The command line, arguments joined by spaces. */
  command: string;
}

/** The start time field (22) of a /proc/<pid>/stat line; the command name in parentheses may hold spaces. */
export function procStatStartTime(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come fields 3, 4, ...: field 22 is index 19.
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  return fields[19];
}

/** Whether a process found now is the one recorded (same pid, start time and command line). Pure. */
export function sameProcess(recorded: ProcessIdentity | undefined, current: ProcessIdentity | undefined): boolean {
  if (!recorded || !current) return false;
  return recorded.pid === current.pid && recorded.startTime === current.startTime && recorded.command === current.command;
}

/** Parses a pid file written by writeIdentity; a bare pid (older berth) carries no proof and gives undefined. */
export function parseIdentity(text: string): ProcessIdentity | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<ProcessIdentity>;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    if (!Number.isInteger(parsed.pid) || (parsed.pid ?? 0) <= 0 || typeof parsed.startTime !== 'string' || typeof parsed.command !== 'string') return undefined;
    return { pid: parsed.pid!, startTime: parsed.startTime, command: parsed.command };
  } catch {
    return undefined;
  }
}

/** The identity of a live process, or undefined when there is no such process (or it cannot be read). */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (existsSync('/proc/self/stat')) {
    try {
      const startTime = procStatStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      return startTime ? { pid, startTime, command } : undefined;
    } catch {
      return undefined;
    }
  }
  try {
    const startTime = execFileSync('ps', ['-p', String(pid), '-o', 'lstart='], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const command = execFileSync('ps', ['-ww', '-p', String(pid), '-o', 'command='], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return startTime ? { pid, startTime, command } : undefined;
  } catch {
    return undefined;
  }
}

/** The recorded process, when the pid file exists and names a live process that is provably the same one. */
export function provenProcess(pidFile: string): ProcessIdentity | undefined {
  if (!existsSync(pidFile)) return undefined;
  let recorded: ProcessIdentity | undefined;
  try {
    recorded = parseIdentity(readFileSync(pidFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (!recorded) return undefined;
  return sameProcess(recorded, processIdentity(recorded.pid)) ? recorded : undefined;
}

/** Records this process's identity in a pid file (owner-only). */
export function writeOwnIdentity(pidFile: string): void {
  const identity = processIdentity(process.pid) ?? { pid: process.pid, startTime: '', command: process.argv.join(' ') };
  writeFileSync(pidFile, `${JSON.stringify(identity)}\n`, { mode: 0o600 });
}

/** Removes a pid file when it still names this process (a successor may have written its own). */
export function removeOwnIdentity(pidFile: string): void {
  try {
    if (parseIdentity(readFileSync(pidFile, 'utf8'))?.pid === process.pid) rmSync(pidFile, { force: true });
  } catch {
    // already gone
  }
}
