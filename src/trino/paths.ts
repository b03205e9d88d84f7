/**
 * The Trino protocol paths the gateway routes, and how a follow-up path names its query.
 * Shapes follow QueuedStatementResource (/v1/statement/queued/{queryId}/{slug}/{token}),
 * ExecutingStatementResource (/v1/statement/executing/{queryId}/{slug}/{token} and
 * /v1/statement/executing/partialCancel/{queryId}/{stage}/{slug}/{token}), QueryResource
 * (/v1/query/{queryId}), the spooling resources (/v1/spooled/download|ack/{identifier}) and the UI's
 * /ui/query.html?{queryId}.
 */
import { GatewayError } from './errors.js';

export type RequestKind =
  | { kind: 'submit' }
  | { kind: 'statement'; queryId: string; handle?: string; path: string }
  | { kind: 'query'; queryId: string }
  | { kind: 'spooled'; handle?: string; path: string }
  | { kind: 'info' }
  | { kind: 'ui-query'; queryId: string }
  | { kind: 'ui' }
  | { kind: 'bad'; message: string; status?: 405 }
  | { kind: 'other' };

/** badRequestError is the answer to a request classify called bad: 405 (with Allow), 404 or 400. */
export function badRequestError(k: { message: string; status?: 405 }): GatewayError {
  if (k.status === 405)
    return new GatewayError(405, 'NOT_SUPPORTED', k.message, 'USER_ERROR', { allow: 'POST' });
  const unknown = k.message.startsWith('unknown');
  return new GatewayError(unknown ? 404 : 400, unknown ? 'NOT_FOUND' : 'BAD_REQUEST', k.message);
}

/** Trino's QueryId: lower-case letters, digits and underscores (io.trino.spi.QueryId). */
export const QUERY_ID = /^[a-z0-9_]{1,128}$/;

/** Separator between Trino's own path segment and the gateway's backend handle in rewritten URLs. */
export const HANDLE_SEP = '~';

/** splitHandle separates "segment~handle" (also percent-encoded ~) into its parts. */
export function splitHandle(segment: string): { base: string; handle?: string } {
  let i = segment.lastIndexOf(HANDLE_SEP);
  let sepLen = 1;
  if (i < 0) {
    i = segment.toUpperCase().lastIndexOf('%7E');
    sepLen = 3;
  }
  if (i < 0) return { base: segment };
  return { base: segment.slice(0, i), handle: segment.slice(i + sepLen) };
}

/**
 * classify names what a request is from its method and path (path without query string).
 * Absolute-form request targets (http://host/path) must be reduced to their path before this.
 */
export function classify(method: string, path: string, search: string): RequestKind {
  if (path === '/v1/statement' || path === '/v1/statement/') {
    // QueuedStatementResource has only a POST here: JAX-RS answers any other method (JDBC's connection
    // check sends HEAD and accepts 200, 401 or 405) with 405.
    return method === 'POST'
      ? { kind: 'submit' }
      : { kind: 'bad', message: `${method} is not allowed on /v1/statement`, status: 405 };
  }
  if (path.startsWith('/v1/statement/')) {
    const parts = path.split('/'); // ['', 'v1', 'statement', kind, ...]
    const type = parts[3];
    // partialCancel/{queryId}/{stage}/{slug}/{token}; queued|executing/{queryId}/{slug}/{token}
    const partial = type === 'executing' && parts[4] === 'partialCancel';
    const idIndex = partial ? 5 : 4;
    const slugIndex = partial ? 7 : 5;
    if ((type === 'queued' || type === 'executing') && parts.length === slugIndex + 2) {
      const queryId = parts[idIndex];
      if (!QUERY_ID.test(queryId))
        return { kind: 'bad', message: `invalid query id "${queryId.slice(0, 64)}"` };
      const { base, handle } = splitHandle(parts[slugIndex]);
      parts[slugIndex] = base;
      return { kind: 'statement', queryId, handle, path: parts.join('/') };
    }
    return { kind: 'bad', message: 'malformed statement path' };
  }
  if (path.startsWith('/v1/query/')) {
    const queryId = path.split('/')[3] ?? '';
    if (!QUERY_ID.test(queryId))
      return { kind: 'bad', message: `invalid query id "${queryId.slice(0, 64)}"` };
    return { kind: 'query', queryId };
  }
  if (path.startsWith('/v1/spooled/')) {
    const parts = path.split('/');
    if (parts.length !== 5 || (parts[3] !== 'download' && parts[3] !== 'ack'))
      return { kind: 'bad', message: 'malformed spooled segment path' };
    const { base, handle } = splitHandle(parts[4]);
    parts[4] = base;
    return { kind: 'spooled', handle, path: parts.join('/') };
  }
  if (path === '/v1/info' || path === '/v1/info/state' || path === '/v1/status')
    return method === 'GET' || method === 'HEAD'
      ? { kind: 'info' }
      : { kind: 'bad', message: `${method} is not allowed on ${path}` };
  if (path === '/ui/query.html') {
    const queryId = search.replace(/^\?/, '').split('&')[0] ?? '';
    if (QUERY_ID.test(queryId)) return { kind: 'ui-query', queryId };
    return { kind: 'ui' };
  }
  if (path === '/ui' || path.startsWith('/ui/')) return { kind: 'ui' };
  if (path === '/v1' || path.startsWith('/v1/'))
    return { kind: 'bad', message: `unknown protocol path ${path.slice(0, 200)}` };
  return { kind: 'other' };
}
