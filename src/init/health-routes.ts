/**
 * Health routes an app's code declares: Flask/FastAPI/Starlette decorators, Django urlpatterns,
 * Express-style `app.get('/health', ...)`, Next.js route files, Rails routes.
 */
import type { ProjectFiles } from './project-files.js';
import { CODE_FILE, isCommented, lineAt, TEST_FILE } from './project-files.js';

export interface HealthRoute {
  /** The URL path, starting with "/". */
  path: string;
  file: string;
  line: number;
  /** What was found, as written, e.g. `@app.get("/health")`. */
  evidence: string;
  /** For people: "the route `@app.get("/health")` in main.py:14". */
  reason: string;
}

/** Last path segments that mean "am I alive", best first. */
const HEALTH_NAMES = ['health', 'healthz', 'healthcheck', 'health-check', 'health_check', 'livez', 'liveness', 'up', 'ping', 'readyz', 'ready', 'readiness', 'status'];

function healthRank(path: string): number {
  const segment = path.replace(/\/+$/, '').split('/').at(-1)?.toLowerCase() ?? '';
  return HEALTH_NAMES.indexOf(segment);
}

export function isHealthPath(path: string): boolean {
  return healthRank(path) >= 0;
}


interface Pattern {
  files: RegExp;
  regex: RegExp;
  /** Turn the captured text into a URL path, or undefined to skip it. */
  toPath: (captured: string) => string | undefined;
}

const asIs = (captured: string) => (captured.startsWith('/') ? captured : undefined);
const withSlash = (captured: string) => `/${captured.replace(/^\//, '')}`;

const PATTERNS: readonly Pattern[] = [
  // @app.get("/health"), @app.route('/healthz'), @router.api_route(path="/ping"), @bp.get(...)
  { files: /\.py$/, regex: /@[\w.]+\.(?:get|route|api_route|head)\(\s*(?:path\s*=\s*)?[rbu]?["']([^"']+)["']/g, toPath: asIs },
  // Starlette / FastAPI: Route("/health", endpoint=...)
  { files: /\.py$/, regex: /\b(?:Route|APIRoute)\(\s*["']([^"']+)["']/g, toPath: asIs },
  // Django: path("health/", ...), re_path(r"^healthz/?$", ...)
  { files: /\.py$/, regex: /\b(?:path|re_path|url)\(\s*r?["']\^?([^"']*?)(?:\/\?)?\$?["']\s*,/g, toPath: (captured) => (/^[\w/-]*$/.test(captured) ? withSlash(captured) : undefined) },
  // Express, Fastify, Koa routers, Hono: app.get('/health', ...), router.all("/healthz", ...)
  { files: /\.(js|mjs|cjs|ts|mts|cts|jsx|tsx)$/, regex: /\b[\w$]+\.(?:get|all|head)\(\s*["'`]([^"'`]+)["'`]/g, toPath: asIs },
  // Rails: get "up" => "rails/health#show", get '/health', to: 'health#show'
  { files: /(^|\/)config\/routes\.rb$/, regex: /^\s*(?:get|match)\s+["']([^"']+)["']/gm, toPath: (captured) => (/^[\w/-]+$/.test(captured) ? withSlash(captured) : undefined) },
];

/** Next.js routes are files: app/api/health/route.ts -> /api/health, pages/api/healthz.ts -> /api/healthz. */
function nextRoute(path: string): string | undefined {
  const app = /^(?:src\/)?app\/(.+)\/route\.(?:ts|js|mjs|tsx|jsx)$/.exec(path);
  if (app) {
    const segments = app[1]!.split('/').filter((segment) => !/^\(.*\)$/.test(segment));
    return `/${segments.join('/')}`;
  }
  const pages = /^(?:src\/)?pages\/(api\/.+?)(?:\/index)?\.(?:ts|js|tsx|jsx|mjs)$/.exec(path);
  return pages ? `/${pages[1]}` : undefined;
}

/** The matched text, with the call's closing parenthesis when it follows at once: `@app.get("/health")`. */
export function closeCall(text: string, index: number, matched: string): string {
  const next = text[index + matched.length];
  return (next === ')' || next === ']') && /[([]/.test(matched) ? `${matched.trim()}${next}` : matched.trim();
}

/** Every health-looking route the code declares, best first (health before healthz before ping ...). */
export function findHealthRoutes(project: ProjectFiles): HealthRoute[] {
  const routes: HealthRoute[] = [];
  for (const file of project.paths) {
    if (TEST_FILE.test(file)) continue;
    const next = nextRoute(file);
    if (next && isHealthPath(next)) routes.push({ path: next, file, line: 1, evidence: file, reason: `the Next.js route file ${file}` });
    const patterns = PATTERNS.filter((pattern) => pattern.files.test(file));
    if (patterns.length === 0 || !CODE_FILE.test(file)) continue;
    const text = project.read(file);
    if (!text) continue;
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern.regex)) {
        const path = pattern.toPath(match[1]!);
        if (!path || !isHealthPath(path) || /[:<{*[]/.test(path) || isCommented(text, match.index)) continue;
        const evidence = closeCall(text, match.index, match[0]);
        const line = lineAt(text, match.index);
        routes.push({ path, file, line, evidence, reason: `the route \`${evidence}\` in ${file}:${line}` });
      }
    }
  }
  return routes.sort((a, b) => healthRank(a.path) - healthRank(b.path) || a.path.length - b.path.length);
}
