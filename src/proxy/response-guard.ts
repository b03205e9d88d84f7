import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { GatewayError } from '../trino/errors.js';

/** Cookies the gateway itself sets (console session and sign-in, UI backend pin): a cluster never may. */
const GATEWAY_COOKIE = /^\s*(?:sy_console|sy_login|switchyard_ui)\s*=/i;

/**
 * guardResponse makes a backend's response head safe to pass on, and returns the status to send:
 * - Set-Cookie for a cookie of the gateway's own is dropped (a cluster could otherwise plant or replace
 *   the console session of whoever uses its UI through the gateway);
 * - a redirect Location on one of the backend's origins is rewritten to the gateway's public URL (the
 *   client comes back through the gateway); a relative one passes; one to any other origin is not passed
 *   on: the answer becomes a 502, so no client follows a cluster to a host it did not choose (with its
 *   credentials, on a 307).
 */
export function guardResponse(
  status: number,
  h: IncomingHttpHeaders | OutgoingHttpHeaders,
  origins: readonly string[],
  publicUrl: string,
): number {
  const cookies = h['set-cookie'];
  if (cookies !== undefined) {
    const list = Array.isArray(cookies) ? cookies : [String(cookies)];
    const kept = list.filter((c) => !GATEWAY_COOKIE.test(c));
    if (kept.length === 0) delete h['set-cookie'];
    else if (kept.length !== list.length) h['set-cookie'] = kept;
  }
  const location = h.location;
  if (typeof location !== 'string' || (location.startsWith('/') && !location.startsWith('//'))) return status;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    delete h.location;
    return 502;
  }
  if (origins.includes(url.origin)) {
    h.location = `${publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}${url.hash}`;
    return status;
  }
  delete h.location;
  return 502;
}

/**
 * The error a client gets instead of a backend's answer that points it at a foreign origin (naming the
 * backend by its name, never its URL).
 */
export function foreignOrigin(backend: string | undefined, what: string): GatewayError {
  return new GatewayError(
    502,
    'BACKEND_UNREACHABLE',
    `${backend ? `backend ${backend}` : 'the cluster'} answered with a ${what} on another origin; not passed on`,
    'EXTERNAL',
  );
}
