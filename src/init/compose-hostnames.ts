/**
 * Where an app's code connects to a docker compose hostname (`redis`, `db`, `postgres` ...) instead of reading
 * the connection variables berth sets (DATABASE_URL, PG*, REDIS_URL). Those names exist only on a compose network:
 * the local target can answer them as network aliases, but on AWS the app must read the variables.
 *
 * Pure: reads ProjectFiles. `berth init` calls it; plan and deploy can call it with the same arguments.
 */
import { DATABASE_URL, PG_VARIABLES, REDIS_URL } from '../model/index.js';
import type { ProjectFiles } from './project-files.js';
import { isCommented, TEST_FILE } from './project-files.js';
import { regexpLiteral } from '../text/regexp-literal.js';

/** Hostnames compose files commonly give PostgreSQL and Redis. */
export const COMMON_COMPOSE_HOSTNAMES: readonly string[] = ['db', 'database', 'postgres', 'postgresql', 'pg', 'redis', 'cache'];

export interface HostnameUse {
  hostname: string;
  /** Path relative to the app folder. */
  file: string;
  line: number;
  /** The line as written, trimmed (at most 160 characters). */
  evidence: string;
}

/** Code in the languages berth inspects, plus Go, and the configuration files that hold connection settings. */
const SCANNED_FILE = /\.(py|js|mjs|cjs|ts|mts|cts|jsx|tsx|rb|go|php|java|kt|cs|ex|exs)$|(^|\/)config\/(database|cable|redis|sidekiq)\.yml$|(^|\/)(settings|config)\.(ya?ml|toml|json)$/;
/** Files not shipped to production or not read by the app at run time. */
const SKIPPED_FILE = /(^|\/)(docker-)?compose[^/]*\.ya?ml$|(^|\/)(migrations?|fixtures|seeds?)\//;


/** The patterns that show a connection to `host`, on one line; `onLineWith` must also match the line. */
function hostPatterns(host: string): Array<{ regex: RegExp; onLineWith?: RegExp }> {
  const h = regexpLiteral(host);
  return [
    // a URL whose host is the compose name: redis://redis:6379/0, postgresql://app:secret@db:5432/app
    { regex: new RegExp(`[a-z][a-z0-9+.-]*://(?:[^\\s/'"\`@]*@)?${h}(?::\\d+)?(?=[/'"\`\\s?]|$)`, 'i') },
    // "redis:6379" as a quoted address
    { regex: new RegExp(`["'\`]${h}:\\d{2,5}["'\`]`) },
    // a quoted hostname on a line that talks about a host: host='redis', { host: "db" }, 'HOST': 'db', REDIS_HOST || 'redis'
    { regex: new RegExp(`["'\`]${h}["'\`]`), onLineWith: /host/i },
    // YAML configuration: host: db
    { regex: new RegExp(`^\\s*host:\\s*["']?${h}["']?\\s*(#.*)?$`) },
  ];
}

/**
 * Every line of app code or configuration that connects to one of `hostnames`, in file order; at most one use
 * per line. Test code, migrations and compose files themselves are skipped.
 */
export function findComposeHostnames(project: ProjectFiles, hostnames: readonly string[] = COMMON_COMPOSE_HOSTNAMES): HostnameUse[] {
  const names = [...new Set(hostnames.filter((name) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)))];
  if (names.length === 0) return [];
  const patterns = names.map((hostname) => ({ hostname, regexes: hostPatterns(hostname) }));
  const uses: HostnameUse[] = [];
  for (const file of project.paths) {
    if (!SCANNED_FILE.test(file) || TEST_FILE.test(file) || SKIPPED_FILE.test(file)) continue;
    const text = project.read(file);
    if (!text) continue;
    const lines = text.split('\n');
    let offset = 0;
    lines.forEach((line, index) => {
      const start = offset;
      offset += line.length + 1;
      if (line.length > 2000) return;
      const withoutComment = line.replace(/\s(#|\/\/).*$/, '');
      for (const { hostname, regexes } of patterns) {
        const hit = regexes
          .map(({ regex, onLineWith }) => (!onLineWith || onLineWith.test(withoutComment) ? regex.exec(line) : null))
          .find((match) => match && !isCommented(text, start + match.index));
        if (hit) {
          uses.push({ hostname, file, line: index + 1, evidence: line.trim().slice(0, 160) });
          return;
        }
      }
    });
  }
  return uses;
}

/** What the app should read instead of a compose hostname, by what runs there. */
export function connectionAdvice(kind: 'database' | 'cache' | undefined): string {
  if (kind === 'database') return `read ${DATABASE_URL} (or ${Object.values(PG_VARIABLES).join(', ')}), which berth sets`;
  if (kind === 'cache') return `read ${REDIS_URL}, which berth sets`;
  return `read ${DATABASE_URL} / ${REDIS_URL}, which berth sets`;
}

/** Which backing service a common hostname usually names. */
export function hostnameKind(hostname: string): 'database' | 'cache' | undefined {
  if (['db', 'database', 'postgres', 'postgresql', 'pg'].includes(hostname)) return 'database';
  if (['redis', 'cache'].includes(hostname)) return 'cache';
  return undefined;
}
