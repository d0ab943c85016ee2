/**
 * Where an app's server listens: the port its code names (app.listen(3000), app.run(port=5000),
 * os.getenv("PORT", "8000")), and servers started on 127.0.0.1, which a load balancer cannot reach.
 */
import type { DockerfileInfo } from '../build/dockerfile.js';
import type { ProjectFiles } from './project-files.js';
import { CODE_FILE, isCommented, lineAt, TEST_FILE } from './project-files.js';

export interface CodePort {
  port: number;
  file: string;
  line: number;
  evidence: string;
}

const PORT = '(\\d{2,5})';
const CODE_PORT_PATTERNS: ReadonlyArray<{ files: RegExp; regex: RegExp }> = [
  // app.listen(3000), server.listen(process.env.PORT || 3000), app.listen(Number(process.env.PORT ?? 8080))
  { files: /\.(js|mjs|cjs|ts|mts|cts)$/, regex: new RegExp(`\\.listen\\(\\s*(?:(?:Number|parseInt)\\(\\s*)?(?:process\\.env\\.PORT\\s*\\)?\\s*(?:\\|\\||\\?\\?)\\s*)?["']?${PORT}\\b`, 'g') },
  // const port = process.env.PORT || 3000
  { files: /\.(js|mjs|cjs|ts|mts|cts)$/, regex: new RegExp(`\\b(?:const|let|var)\\s+(?:port|PORT)\\s*=\\s*(?:(?:Number|parseInt)\\(\\s*)?process\\.env\\.PORT\\s*\\)?\\s*(?:\\|\\||\\?\\?)\\s*["']?${PORT}\\b`, 'g') },
  // os.environ.get("PORT", 8000), os.getenv('PORT', '5000')
  { files: /\.py$/, regex: new RegExp(`\\b(?:os\\.environ\\.get|os\\.getenv|getenv)\\(\\s*["']PORT["']\\s*,\\s*["']?${PORT}\\b`, 'g') },
  // app.run(host="0.0.0.0", port=5000), uvicorn.run(app, port=8000)
  { files: /\.py$/, regex: new RegExp(`\\.run\\([^)]*?\\bport\\s*=\\s*${PORT}\\b`, 'g') },
];


/** The first port the code names for its server. */
export function findCodePort(project: ProjectFiles): CodePort | undefined {
  for (const file of project.paths) {
    if (!CODE_FILE.test(file) || TEST_FILE.test(file) || /(^|\/)next\.config\./.test(file)) continue;
    const patterns = CODE_PORT_PATTERNS.filter((pattern) => pattern.files.test(file));
    if (patterns.length === 0) continue;
    const text = project.read(file);
    if (!text) continue;
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern.regex)) {
        const port = Number(match[1]);
        if (port >= 1 && port <= 65535 && !isCommented(text, match.index)) return { port, file, line: lineAt(text, match.index), evidence: match[0].trim() };
      }
    }
  }
  return undefined;
}

const LOOPBACK = /^(127\.0\.0\.1|localhost|::1|\[::1\])(:\d+)?$/;

/** Servers the Dockerfile starts in a way that listens on 127.0.0.1 only, or in development mode. */
export function listenWarnings(dockerfile: DockerfileInfo | undefined, project: ProjectFiles): string[] {
  if (!dockerfile) return [];
  const words = [...(dockerfile.entrypoint?.words ?? []), ...(dockerfile.cmd?.words ?? [])].flatMap((word) => (/\s/.test(word.trim()) ? word.trim().split(/\s+/) : [word]));
  const line = dockerfile.cmd?.line ?? dockerfile.entrypoint?.line;
  const env = new Set(dockerfile.env);
  const has = (...flags: string[]) => words.some((word) => flags.some((flag) => word === flag || word.startsWith(`${flag}=`)));
  const valueOf = (...flags: string[]) => {
    for (let i = 0; i < words.length; i += 1) {
      const word = words[i]!;
      for (const flag of flags) {
        if (word === flag) return words[i + 1];
        if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
      }
    }
    return undefined;
  };
  const where = `the Dockerfile's CMD (line ${line})`;
  const warnings: string[] = [];
  const unreachable = 'inside a container that is unreachable from the load balancer';
  if (words.some((word) => word === 'uvicorn' || word.endsWith('/uvicorn'))) {
    const host = valueOf('--host');
    if (!host) warnings.push(`${where} starts uvicorn without --host: it listens on 127.0.0.1, ${unreachable}; add --host 0.0.0.0`);
    else if (LOOPBACK.test(host)) warnings.push(`${where} starts uvicorn with --host ${host}, ${unreachable}; use --host 0.0.0.0`);
  }
  if (words.some((word) => word === 'gunicorn' || word.endsWith('/gunicorn')) && !env.has('GUNICORN_CMD_ARGS') && !has('-c', '--config')) {
    const bind = valueOf('-b', '--bind');
    if (!bind && !project.paths.includes('gunicorn.conf.py')) warnings.push(`${where} starts gunicorn without --bind: it listens on 127.0.0.1:8000, ${unreachable}; add --bind 0.0.0.0:PORT`);
    else if (bind && LOOPBACK.test(bind)) warnings.push(`${where} starts gunicorn with --bind ${bind}, ${unreachable}; use --bind 0.0.0.0:PORT`);
  }
  const flaskRun = words.findIndex((word, i) => word === 'run' && /(^|\/)flask$/.test(words[i - 1] ?? ''));
  if (flaskRun >= 0) {
    const host = valueOf('--host', '-h');
    if (!host && !env.has('FLASK_RUN_HOST')) warnings.push(`${where} starts \`flask run\` without --host: it listens on 127.0.0.1, ${unreachable}; add --host 0.0.0.0 (and prefer gunicorn in production)`);
  }
  const runserver = words.indexOf('runserver');
  if (runserver >= 0) {
    const address = words[runserver + 1];
    if (!address || address.startsWith('-') || LOOPBACK.test(address) || /^\d+$/.test(address)) {
      warnings.push(`${where} starts Django's runserver on 127.0.0.1, ${unreachable}; use runserver 0.0.0.0:8000 (and prefer gunicorn in production)`);
    }
  }
  const next = words.findIndex((word, i) => word === 'dev' && /(^|\/)next$/.test(words[i - 1] ?? ''));
  if (next >= 0) warnings.push(`${where} runs \`next dev\`, the development server; build with \`next build\` and run \`next start\``);
  return warnings;
}
