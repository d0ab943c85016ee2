/**
 * Environment variables an app's code reads (os.environ, os.getenv, process.env, ENV[...]),
 * and which of them look like secrets berth should inject from Secrets Manager.
 */
import type { ProjectFiles } from './project-files.js';
import { closeCall } from './health-routes.js';
import { CODE_FILE, isCommented, lineAt, TEST_FILE } from './project-files.js';

export interface EnvRead {
  name: string;
  file: string;
  line: number;
  /** As written, e.g. `os.environ["NEWSAPI_KEY"]`. */
  evidence: string;
}

const NAME = '([A-Z_][A-Z0-9_]*)';
const PATTERNS: ReadonlyArray<{ files: RegExp; regex: RegExp }> = [
  // os.environ["X"], os.environ.get("X"), os.getenv("X"), environ["X"], env("X") (django-environ), config("X") (python-decouple)
  { files: /\.py$/, regex: new RegExp(`\\b(?:os\\.environ\\.get|os\\.environ\\.setdefault|os\\.getenv|getenv|environ\\.get|env(?:\\.\\w+)?|config)\\(\\s*["']${NAME}["']`, 'g') },
  { files: /\.py$/, regex: new RegExp(`\\b(?:os\\.)?environ\\[\\s*["']${NAME}["']\\s*\\]`, 'g') },
  // process.env.X, process.env["X"], import.meta.env.X
  { files: /\.(js|mjs|cjs|ts|mts|cts|jsx|tsx)$/, regex: new RegExp(`\\b(?:process\\.env|import\\.meta\\.env)(?:\\.${NAME}|\\[\\s*["'\`]${NAME}["'\`]\\s*\\])`, 'g') },
  // ENV["X"], ENV.fetch("X")
  { files: /\.rb$/, regex: new RegExp(`\\bENV(?:\\[\\s*["']${NAME}["']\\s*\\]|\\.fetch\\(\\s*["']${NAME}["'])`, 'g') },
];

/** `const { STRIPE_SECRET, PORT } = process.env` */
const DESTRUCTURED = /\{([^{}]*)\}\s*=\s*process\.env\b/g;


/** Every distinct environment variable the code reads, first occurrence kept, in file order. */
export function findEnvReads(project: ProjectFiles): EnvRead[] {
  const reads: EnvRead[] = [];
  const seen = new Set<string>();
  const add = (name: string, file: string, text: string, index: number, evidence: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    reads.push({ name, file, line: lineAt(text, index), evidence: evidence.trim() });
  };
  for (const file of project.paths) {
    if (!CODE_FILE.test(file) || TEST_FILE.test(file)) continue;
    const patterns = PATTERNS.filter((pattern) => pattern.files.test(file));
    if (patterns.length === 0) continue;
    const text = project.read(file);
    if (!text) continue;
    const found: Array<{ name: string; index: number; evidence: string }> = [];
    for (const match of patterns.flatMap((pattern) => [...text.matchAll(pattern.regex)])) {
      found.push({ name: (match[1] ?? match[2])!, index: match.index, evidence: closeCall(text, match.index, match[0]) });
    }
    if (/\.(js|mjs|cjs|ts|mts|cts|jsx|tsx)$/.test(file)) {
      for (const match of text.matchAll(DESTRUCTURED)) {
        for (const part of match[1]!.split(',')) {
          const name = /^\s*([A-Z_][A-Z0-9_]*)/.exec(part)?.[1];
          if (name) found.push({ name, index: match.index, evidence: `{ ${name} } = process.env` });
        }
      }
    }
    for (const read of found.filter((candidate) => !isCommented(text, candidate.index)).sort((a, b) => a.index - b.index)) add(read.name, file, text, read.index, read.evidence);
  }
  return reads;
}

/** Words in a variable name that mark a secret. */
const SECRET_WORDS = /(^|_)(SECRET|SECRETS|TOKEN|PASSWORD|PASSWD|PASS|PWD|APIKEY|API_KEY|KEY|PRIVATE|CREDENTIALS?|DSN|AUTH|SALT|SIGNING|WEBHOOK_SECRET|MASTER_KEY|ACCESS_KEY)(_|$)/;
/** Names that are public by nature or set by berth or the platform. */
const NOT_SECRET = /^(NEXT_PUBLIC_|PUBLIC_|VITE_|REACT_APP_|EXPO_PUBLIC_)|PUBLISHABLE|(^|_)PUBLIC_KEY$|^(DATABASE_URL|REDIS_URL|PGHOST|PGPORT|PGDATABASE|PGUSER|PGPASSWORD|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)$|(_KEY_ID|_KEY_PREFIX|_KEY_NAME|_TOKEN_URL|_AUTH_URL)$/;

/** Whether a variable name looks like it holds a secret (API keys, tokens, passwords, DSNs). */
export function looksSecret(name: string): boolean {
  return SECRET_WORDS.test(name) && !NOT_SECRET.test(name);
}
