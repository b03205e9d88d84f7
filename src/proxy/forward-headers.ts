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

const CLIENT_FORWARDING = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
];

/**
 * prepareHeaders readies req.headers for the backend: hop-by-hop headers go (with any the client named
 * in Connection), X-Forwarded-* are set once from the gateway's own view (a client's values are never
 * trusted or appended to), and Host names the backend so a cluster without process-forwarded builds
 * URLs with its own origin, which the gateway rewrites. Returns the origin the client used, which a
 * cluster with process-forwarded puts in its URLs instead.
 */
export function prepareHeaders(
  req: IncomingMessage,
  backend: Backend,
  tls: boolean,
  stripEncoding: boolean,
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
  const proto = forwardedProto(req) ?? (tls ? 'https' : 'http');
  h['x-forwarded-for'] = clientAddress(req);
  h['x-forwarded-proto'] = proto;
  if (clientHost) h['x-forwarded-host'] = clientHost;
  if (!backend.forwardsAuthorization && h.authorization !== undefined) delete h.authorization;
  h.host = backend.target.host;
  if (stripEncoding && h['accept-encoding'] !== undefined) delete h['accept-encoding'];
  return clientHost ? `${proto}://${clientHost}` : backend.origin;
}

/** acceptsGzip tells whether the client listed gzip in Accept-Encoding (before it was stripped). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  return typeof ae === 'string' && ae.includes('gzip');
}
