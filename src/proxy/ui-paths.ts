import type { IncomingMessage } from 'node:http';
import { QUERY_ID } from '../trino/paths.js';

/**
 * uiPath is a /ui request's path as the cluster's HTTP server reads it: percent-escapes decoded, `;` path
 * parameters dropped, repeated and trailing slashes folded, lower case. Undefined when it cannot be decoded.
 */
function uiPath(req: IncomingMessage): string | undefined {
  let path = (req.url ?? '').split('?')[0];
  try {
    path = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  return path
    .replace(/;[^/]*/g, '')
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/**
 * isUiLogin tells the cluster's web-UI form login (POST /ui/login, Trino's LoginResource), in any spelling
 * the cluster would take for it. A path that cannot be decoded counts as one (checked, never waved through).
 */
export function isUiLogin(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const path = uiPath(req);
  return path === undefined || path === '/ui/login';
}

/**
 * uiQueryId is the query a UI API request acts on (Trino's UiQueryResource: /ui/api/query/{queryId}, and its
 * /killed and /preempted), so it is bound to the query's owner like /v1/query/{id}; undefined otherwise.
 */
export function uiQueryId(req: IncomingMessage): string | undefined {
  const m = /^\/ui\/api\/query\/([^/]+)/.exec(uiPath(req) ?? '');
  return m && QUERY_ID.test(m[1]) ? m[1] : undefined;
}
