import type { AuthResult } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../trino/errors.js';

/**
 * What the protocol proxy reads off a request before dispatching it: the request target's path and query,
 * a cookie, and the principal (or the Trino-shaped answer to a failed authentication).
 */

/** principalOf returns the authenticated principal, or throws the Trino-shaped answer to a failed authentication. */
export function principalOf(auth: AuthResult): Principal {
  if (auth.ok) return auth.principal;
  const headers: Record<string, string> = {};
  if (auth.challenge) headers['www-authenticate'] = auth.challenge;
  if (auth.retryAfterSeconds) headers['retry-after'] = String(auth.retryAfterSeconds);
  const name =
    auth.status === 429
      ? 'RATE_LIMITED'
      : auth.status === 503
        ? 'SERVER_BUSY'
        : auth.status === 403
          ? 'PERMISSION_DENIED'
          : 'AUTHENTICATION_FAILED';
  throw new GatewayError(auth.status, name, auth.message, 'USER_ERROR', headers);
}

/** splitTarget reduces a request target (origin-form or absolute-form) to its path and query string. */
export function splitTarget(url: string): { path: string; search: string } | undefined {
  if (url.startsWith('/')) {
    const q = url.indexOf('?');
    return q < 0 ? { path: url, search: '' } : { path: url.slice(0, q), search: url.slice(q) };
  }
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    // Absolute-form (presto-client sends DELETE http://host/...): only the path matters; the host is
    // never used as a destination.
    const u = new URL(url);
    return { path: u.pathname, search: u.search };
  } catch {
    return undefined;
  }
}

export function readCookie(cookie: string | undefined, name: string): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
