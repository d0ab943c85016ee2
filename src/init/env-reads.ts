/**
 * Environment variables an app's code reads (os.environ, os.getenv, process.env, ENV[...]),
 * and which of them look like secrets berth should inject from Secrets Manager.
 */
import { BROWSER_PUBLIC_NAMES, looksSecretName } from '../config/secret-names.js';
import { DATABASE_URL, PG_VARIABLES, REDIS_URL } from '../model/index.js';
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

/**
 * Names init never proposes as secrets: public by nature (inlined into browser bundles), set by berth from the
 * database and cache, or provided by the platform (the task role's AWS credentials).
 */
const INIT_SECRET_RULE = {
  exclude: [
    BROWSER_PUBLIC_NAMES,
    DATABASE_URL, ...Object.values(PG_VARIABLES), REDIS_URL,
    /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/,
  ],
};

/** Whether a variable the code reads looks like a secret berth should inject from the secret store. */
export function looksSecret(name: string): boolean {
  return looksSecretName(name, INIT_SECRET_RULE);
}
