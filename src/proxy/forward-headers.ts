import type { IncomingMessage } from 'node:http';
import type { Backend } from '../backends/backend.js';
import { HOP_BY_HOP } from '../trino/headers.js';

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
  const conn = h.connection;
  if (conn) for (const token of conn.split(',')) delete h[token.trim().toLowerCase()];
  for (const k of HOP_BY_HOP) delete h[k];
  for (const k of CLIENT_FORWARDING) delete h[k];
  const proto = tls ? 'https' : 'http';
  const clientHost = h.host;
  h['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  h['x-forwarded-proto'] = proto;
  if (clientHost) h['x-forwarded-host'] = clientHost;
  h.host = backend.target.host;
  if (stripEncoding) delete h['accept-encoding'];
  return clientHost ? `${proto}://${clientHost}` : backend.origin;
}

/** acceptsGzip tells whether the client listed gzip in Accept-Encoding (before it was stripped). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  return typeof ae === 'string' && ae.includes('gzip');
}
