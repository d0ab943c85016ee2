/**
 * The UI's access token: random per start, printed in the URL, then kept in an HttpOnly cookie so links work.
 * Every request without it gets 401 (pages, API, events). Requests that change something (rollback) must also
 * send it in a header, which a page of another site cannot read or set.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'berth_ui_token';
export const TOKEN_HEADER = 'x-berth-token';
export const TOKEN_QUERY = 'token';

export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export type TokenSource = 'query' | 'cookie' | 'header';

/** Where a request carries the right token, or undefined when it does not. */
export function tokenSource(request: IncomingMessage, url: URL, token: string): TokenSource | undefined {
  const header = request.headers[TOKEN_HEADER];
  if (typeof header === 'string' && same(header, token)) return 'header';
  const query = url.searchParams.get(TOKEN_QUERY);
  if (query !== null && same(query, token)) return 'query';
  const cookie = cookieValue(request.headers.cookie, TOKEN_COOKIE);
  if (cookie !== undefined && same(cookie, token)) return 'cookie';
  return undefined;
}

/** The Set-Cookie header that keeps the token for this server's pages. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
