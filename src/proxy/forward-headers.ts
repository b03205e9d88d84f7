import type { IncomingMessage } from 'node:http';
import type { Backend } from '../backends/backend.js';
import { clientAddress, forwardedProto } from '../observability/client-address.js';
import { HOP_BY_HOP } from '../trino/headers.js';

/** The Host the client sent, kept before the first attempt rewrites it (a retry must not see the backend's). */
const CLIENT_HOST = Symbol('clientHost');
/** The client's Connection header, kept so the answer honours a client's `close`. */
const CLIENT_CONNECTION = Symbol('clientConnection');
type WithHost = IncomingMessage & { [CLIENT_HOST]?: string | null; [CLIENT_CONNECTION]?: string };

/** clientWantsClose tells whether the client asked to close the connection after this exchange. */
export function clientWantsClose(req: IncomingMessage): boolean {
  const c = (req as WithHost)[CLIENT_CONNECTION] ?? req.headers.connection;
  return typeof c === 'string' && /\bclose\b/i.test(c);
}

/** Forwarding headers other than X-Forwarded-*, which a client's request never takes to a cluster. */
const CLIENT_FORWARDING = ['forwarded', 'x-real-ip'];
const X_FORWARDED = 'x-forwarded-';

/**
 * prepareHeaders readies req.headers for the backend: hop-by-hop headers go (with any the client named
 * in Connection), and so does every forwarding header the client sent (any X-Forwarded-*, Forwarded,
 * X-Real-IP: a client's values are never trusted, and a default Trino answers any X-Forwarded-* with
 * 406). A cluster that processes forwarded headers (backend.processForwarded) then gets
 * X-Forwarded-For/Proto/Host, and X-Forwarded-Prefix when the gateway's public URL has a path, set once
 * from the gateway's own view; it builds URLs with the client's origin. Any other cluster gets none
 * and builds URLs with its own origin (Host names the backend), which the gateway rewrites. The
 * Authorization header goes only to a cluster that receives credentials. Returns the origin (with prefix)
 * the cluster puts in its URLs.
 */
export function prepareHeaders(
  req: IncomingMessage,
  backend: Backend,
  tls: boolean,
  stripEncoding: boolean,
  prefix = '',
): string {
  const h = req.headers;
  const r = req as WithHost;
  if (r[CLIENT_HOST] === undefined) r[CLIENT_HOST] = h.host ?? null;
  const clientHost = r[CLIENT_HOST] ?? undefined;
  const conn = h.connection;
  if (conn && r[CLIENT_CONNECTION] === undefined) r[CLIENT_CONNECTION] = conn;
  if (conn) for (const token of conn.split(',')) delete h[token.trim().toLowerCase()];
  // Delete only what is there: a delete turns the headers object into a slow dictionary.
  for (const k of HOP_BY_HOP) if (h[k] !== undefined) delete h[k];
  for (const k of CLIENT_FORWARDING) if (h[k] !== undefined) delete h[k];
  // The proto a trusted proxy reported is read before the client's X-Forwarded-* go.
  const proto = backend.processForwarded ? (forwardedProto(req) ?? (tls ? 'https' : 'http')) : '';
  for (const k in h) if (k.charCodeAt(0) === 0x78 && k.startsWith(X_FORWARDED)) delete h[k];
  if (!backend.forwardsAuthorization && h.authorization !== undefined) delete h.authorization;
  h.host = backend.target.host;
  if (stripEncoding && h['accept-encoding'] !== undefined) delete h['accept-encoding'];
  if (!backend.processForwarded) return backend.origin;
  h['x-forwarded-for'] = clientAddress(req);
  h['x-forwarded-proto'] = proto;
  if (clientHost) h['x-forwarded-host'] = clientHost;
  if (prefix) h['x-forwarded-prefix'] = prefix;
  return clientHost ? `${proto}://${clientHost}${prefix}` : backend.origin;
}

/** acceptsGzip tells whether the client listed gzip in Accept-Encoding (before it was stripped). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  return typeof ae === 'string' && ae.includes('gzip');
}
