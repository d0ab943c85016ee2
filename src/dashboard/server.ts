/**
 * `berth ui`'s HTTP server (Node's http module): one page per environment, its parts, live events and the
 * rollback action. Every request needs the access token (access-token.ts); nothing is loaded from outside.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compiledEntry } from '../package-files.js';
import { newAccessToken, TOKEN_QUERY, tokenCookie, tokenSource } from './access-token.js';
import type { EnvironmentSource } from './environment-source.js';
import { escapeHtml } from './html.js';
import { LiveEnvironment, type PartName } from './live-environment.js';
import { renderPage } from './page-html.js';
import { PAGE_CSS } from './page-style.js';

export interface UiServerOptions {
  source: EnvironmentSource;
  /** 127.0.0.1 unless the user asked for another address. */
  host: string;
  /** 0: any free port. */
  port: number;
  token?: string;
}

export interface UiServer {
  /** The URL to open, with the token. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const PARTS = new Set<PartName>(['progress', 'status', 'releases', 'failure', 'logs', 'architecture', 'cost']);

/** The page's script, compiled by `npm run build` into dist/dashboard/page/page.js. */
function pageScriptPath(): string {
  return compiledEntry('dashboard/page/page.js');
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS, ...headers });
  response.end(body);
}

function plainPage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
}

async function readBody(request: IncomingMessage, limit = 4096): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > limit) throw new Error('request body too large');
  }
  return body;
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const token = options.token ?? newAccessToken();
  const { source } = options;
  const live = new Map<string, LiveEnvironment>();
  const liveOf = (env: string): LiveEnvironment | undefined => {
    if (!source.environments.some((item) => item.name === env)) return undefined;
    let made = live.get(env);
    if (!made) {
      made = new LiveEnvironment(env, source);
      live.set(env, made);
    }
    return made;
  };
  const scriptPath = pageScriptPath();
  let script: string | undefined;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const authenticated = tokenSource(request, url, token);
    if (!authenticated) {
      send(response, 401, 'text/html; charset=utf-8', plainPage('berth ui: access token needed', 'Open the URL that `berth ui` printed (it carries a token that changes each time berth ui starts).'));
      return;
    }
    if (authenticated === 'query' && request.method === 'GET') {
      // Keep the token in a cookie and take it out of the address bar and history.
      url.searchParams.delete(TOKEN_QUERY);
      response.writeHead(303, { location: `${url.pathname}${url.search}`, 'set-cookie': tokenCookie(token), ...SECURITY_HEADERS });
      response.end();
      return;
    }
    const path = url.pathname;
    if (request.method === 'GET' && path === '/') {
      response.writeHead(303, { location: `/env/${encodeURIComponent(source.environments[0]?.name ?? 'local')}/`, ...SECURITY_HEADERS });
      response.end();
      return;
    }
    if (path === '/favicon.ico') {
      response.writeHead(204, SECURITY_HEADERS);
      response.end();
      return;
    }
    if (request.method === 'GET' && path === '/assets/page.css') return send(response, 200, 'text/css; charset=utf-8', PAGE_CSS);
    if (request.method === 'GET' && path === '/assets/page.js') {
      script ??= existsSync(scriptPath) ? readFileSync(scriptPath, 'utf8') : undefined;
      if (!script) return send(response, 500, 'text/plain; charset=utf-8', `the page script ${scriptPath} is missing: run npm run build`);
      return send(response, 200, 'text/javascript; charset=utf-8', script);
    }
    const match = /^\/env\/([^/]+)(\/.*)?$/.exec(path);
    const env = match ? decodeURIComponent(match[1]!) : undefined;
    const environment = env ? liveOf(env) : undefined;
    if (!match || !environment || !env) {
      const names = source.environments.map((item) => item.name).join(', ');
      return send(response, 404, 'text/html; charset=utf-8', plainPage('Not found', `berth.yml declares these environments: ${names}.`));
    }
    const rest = match[2] ?? '';
    if (rest === '') {
      response.writeHead(301, { location: `/env/${encodeURIComponent(env)}/`, ...SECURITY_HEADERS });
      response.end();
      return;
    }
    if (request.method === 'GET' && rest === '/') {
      void environment.warmArchitecture();
      const quick = (name: PartName) => environment.quickPart(name, 400);
      const [progress, status, releases, failure, logs, architecture, cost] = await Promise.all([
        quick('progress'), quick('status'), quick('releases'), quick('failure'), quick('logs'), quick('architecture'), quick('cost'),
      ]);
      const page = renderPage({
        app: source.app,
        env,
        target: environment.target,
        environments: source.environments,
        token,
        parts: { progress, status, releases, failure, logs, architecture, cost },
      });
      return send(response, 200, 'text/html; charset=utf-8', page);
    }
    if (request.method === 'GET' && rest === '/events') {
      environment.subscribe(response);
      return;
    }
    if (request.method === 'GET' && rest === '/diagram.svg') {
      try {
        const { svg } = await source.architecture(env);
        return send(response, 200, 'image/svg+xml; charset=utf-8', `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`, { 'content-disposition': `attachment; filename="${source.app}-${env}.svg"` });
      } catch (error) {
        return send(response, 500, 'text/plain; charset=utf-8', (error as Error).message);
      }
    }
    const part = /^\/part\/([a-z]+)$/.exec(rest)?.[1] as PartName | undefined;
    if (request.method === 'GET' && part && PARTS.has(part)) {
      const html = part === 'logs'
        ? await environment.logs(url.searchParams.get('filter') ?? '', url.searchParams.get('source') ?? '')
        : await environment.part(part);
      return send(response, 200, 'text/html; charset=utf-8', html);
    }
    if (rest === '/rollback') {
      if (request.method !== 'POST') return send(response, 405, 'text/plain; charset=utf-8', 'POST only', { allow: 'POST' });
      // A cookie alone is not enough to change something: the page sends the token in a header.
      if (authenticated !== 'header') return send(response, 403, 'application/json', JSON.stringify({ error: 'send the access token in the x-berth-token header' }));
      let to: number | undefined;
      try {
        const body = JSON.parse((await readBody(request)) || '{}') as { to?: unknown };
        if (body.to !== undefined && (typeof body.to !== 'number' || !Number.isInteger(body.to) || body.to < 1)) throw new Error('to: expected a release number such as 3');
        to = body.to as number | undefined;
      } catch (error) {
        return send(response, 400, 'application/json', JSON.stringify({ error: (error as Error).message }));
      }
      const started = environment.startRollback(to);
      if (started === 'busy') return send(response, 409, 'application/json', JSON.stringify({ error: 'a rollback started here is still running' }));
      return send(response, 202, 'application/json', JSON.stringify({ started: true, ...(to ? { to } : {}) }));
    }
    return send(response, 404, 'text/plain; charset=utf-8', 'not found');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `berth ui: ${(error as Error).message}`);
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  // Synthesis takes seconds: start on every environment's architecture at once, local first.
  void (async () => {
    for (const env of source.environments) await liveOf(env.name)?.warmArchitecture();
  })();
  return {
    url: `http://${shownHost}:${port}/?${TOKEN_QUERY}=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolve) => {
      for (const environment of live.values()) environment.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
