/**
 * berth shows log lines it did not write (failed tasks' last lines, `berth logs`). It never reads
 * secret values back from AWS, so it masks what secrets look like in logs: passwords in URLs and
 * `NAME=value` / `"NAME": "value"` for the declared secret names and berth's own credentials.
 */
import { regexpLiteral } from '../../text/regexp-literal.js';

const ALWAYS_SECRET = ['PGPASSWORD', 'DATABASE_URL', 'REDIS_URL', 'PASSWORD', 'SECRET_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** A function that masks secret-looking values in one line (pure). */
export function logRedactor(secretNames: readonly string[]): (line: string) => string {
  const names = [...new Set([...secretNames, ...ALWAYS_SECRET])].map(regexpLiteral).join('|');
  const assignment = new RegExp(`\\b(${names})(\\s*[=:]\\s*|"\\s*:\\s*"|'\\s*:\\s*')("?)([^\\s"',;]+)`, 'g');
  return (line) => line
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)([^@\s]+)(@)/gi, '$1***$3')
    .replace(assignment, (_match, name: string, separator: string, quote: string) => `${name}${separator}${quote}***`);
}
