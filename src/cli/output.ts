/**
 * How berth talks: results on stdout (text, or JSON with --json), progress and problems on stderr,
 * colour only on a TTY (and never with NO_COLOR).
 */
import { paint } from '../terminal/paint.js';

export { paint, useColour } from '../terminal/paint.js';

export interface GlobalOptions {
  config?: string;
  env: string;
  json: boolean;
  debug: boolean;
  yes: boolean;
}

/** "(prod, AWS)", or "(local)" where the environment and the target share the name (not "(local, local)"). */
export function environmentLabel(env: string, target: 'local' | 'aws'): string {
  if (env === target) return `(${env})`;
  return `(${env}, ${target === 'aws' ? 'AWS' : 'local Docker engine'})`;
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printError(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function printWarning(text: string): void {
  process.stderr.write(`${paint('yellow', 'warning:', process.stderr)} ${text}\n`);
}

/** A two-column table for terminals; rows are [label, value]. */
export function formatRows(rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`).join('\n');
}

/** A table with a header row, columns padded to the widest cell. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
