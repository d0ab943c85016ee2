/**
 * The questions `berth init` asks on a terminal: confirm or change each finding, Enter keeps it.
 * Uses node:readline/promises (no dependency); questions go to stderr so stdout stays for results.
 */
import type { Interface } from 'node:readline/promises';
import { createInterface } from 'node:readline/promises';
import { APP_NAME_MAX, APP_NAME_PATTERN, ENV_VAR_PATTERN } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { InitAnswers } from './render-berth-yml.js';

/** Ask until `parse` accepts the answer; it returns the value, or a string saying what to type instead. */
async function ask<T extends object | boolean>(rl: Interface, output: NodeJS.WritableStream, signal: AbortSignal, question: string, shown: string, parse: (answer: string) => T | string): Promise<T> {
  for (;;) {
    const raw = (await rl.question(`${question} [${shown}]: `, { signal })).trim();
    const result = parse(raw);
    if (typeof result !== 'string') return result;
    output.write(`  ${result}\n`);
  }
}

function yesNo(current: boolean) {
  return (raw: string): boolean | string => {
    if (raw === '') return current;
    if (/^(y|yes)$/i.test(raw)) return true;
    if (/^(n|no)$/i.test(raw)) return false;
    return 'answer y or n';
  };
}

/** Parse functions return the value, or a message (a string) saying what to type instead. */
export const parsers = {
  app: (current: string) => (raw: string): { value: string } | string => {
    const value = raw || current;
    return APP_NAME_PATTERN.test(value) && value.length <= APP_NAME_MAX ? { value } : `use 2-${APP_NAME_MAX} lowercase letters, digits and hyphens, starting with a letter`;
  },
  port: (current: number) => (raw: string): { value: number } | string => {
    if (raw === '') return { value: current };
    const port = Number(raw);
    return /^\d+$/.test(raw) && port >= 1 && port <= 65535 ? { value: port } : 'enter a port from 1 to 65535';
  },
  healthPath: (current: string) => (raw: string): { value: string } | string => {
    const value = raw || current;
    return value.startsWith('/') && !/\s/.test(value) ? { value } : 'enter a path starting with "/", such as /health';
  },
  secrets: (current: string[]) => (raw: string): { value: string[] } | string => {
    if (raw === '') return { value: current };
    if (raw === '-' || /^none$/i.test(raw)) return { value: [] };
    const names = raw.split(/[\s,]+/).filter(Boolean);
    const bad = names.filter((name) => !ENV_VAR_PATTERN.test(name));
    return bad.length === 0 ? { value: [...new Set(names)] } : `${bad.join(', ')}: secret names are letters, digits and _ (they become environment variables)`;
  },
};

/** Ask the user to confirm or change each answer. Throws UsageError when the terminal closes (Ctrl-C, Ctrl-D). */
export async function promptAnswers(found: InitAnswers, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<InitAnswers> {
  const rl = createInterface({ input, output, terminal: true });
  const aborted = new AbortController();
  rl.on('close', () => aborted.abort());
  rl.on('SIGINT', () => rl.close());
  const unwrap = <T>(parse: (raw: string) => { value: T } | string) => async (question: string, shown: string) =>
    (await ask(rl, output, aborted.signal, question, shown, parse)).value;
  try {
    output.write('\nPress Enter to keep what berth found, or type a new value.\n');
    const app = await unwrap(parsers.app(found.app))('App name', found.app);
    const port = await unwrap(parsers.port(found.port))('Port the app listens on', String(found.port));
    const healthPath = await unwrap(parsers.healthPath(found.healthPath))('Health check path', found.healthPath);
    const database = await ask(rl, output, aborted.signal, 'PostgreSQL database? (y/n)', found.database ? 'Y' : 'N', yesNo(found.database));
    const cache = await ask(rl, output, aborted.signal, 'Redis cache? (y/n)', found.cache ? 'Y' : 'N', yesNo(found.cache));
    const secrets = await unwrap(parsers.secrets(found.secrets))('Secret names, comma-separated ("-" for none)', found.secrets.join(', ') || 'none');
    return { app, port, healthPath, database, cache, secrets };
  } catch (error) {
    if (aborted.signal.aborted) throw new UsageError('berth init was cancelled; nothing was written', 'run `berth init --yes` to accept what berth finds without questions');
    throw error;
  } finally {
    rl.close();
  }
}

/** Ask only for the app name (berth init from a compose file): Enter keeps it. Throws UsageError when the terminal closes. */
export async function promptAppName(found: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  const rl = createInterface({ input, output, terminal: true });
  const aborted = new AbortController();
  rl.on('close', () => aborted.abort());
  rl.on('SIGINT', () => rl.close());
  try {
    output.write('\nPress Enter to keep the name berth chose, or type another (other values: edit berth.yml).\n');
    return (await ask(rl, output, aborted.signal, 'App name', found, parsers.app(found))).value;
  } catch (error) {
    if (aborted.signal.aborted) throw new UsageError('berth init was cancelled; nothing was written', 'run `berth init --yes` to accept what berth finds without questions');
    throw error;
  } finally {
    rl.close();
  }
}
