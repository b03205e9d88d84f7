import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { GatewayConfig } from './config/gateway-config.js';
import { ClientAddressResolver } from './observability/client-address.js';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * isProtocolPath tells whether a request target belongs to the Trino protocol (proxied) or the gateway's
 * own app. `/v1/catalog/…` is the gateway's (seed-compatible catalog broadcast), never a single cluster's.
 */
export function isProtocolPath(url: string): boolean {
  if (url.charCodeAt(0) !== 47 /* / */) return true; // absolute-form targets are protocol follow-ups or refused there
  return (
    (url.startsWith('/v1/') && !url.startsWith('/v1/catalog/')) ||
    url === '/v1' ||
    url === '/ui' ||
    url.startsWith('/ui/') ||
    url.startsWith('/ui?')
  );
}

/**
 * createListener builds the one HTTP(S) server: protocol paths go to the proxy (the hot path, no
 * framework), everything else to the Hono app. Malformed requests and oversized headers get a JSON
 * 4xx from the parser's error hook instead of a bare connection reset. `tls` (read at start) makes it HTTPS.
 */
export function createListener(
  cfg: GatewayConfig,
  tls: { cert: Buffer; key: Buffer } | undefined,
  proxy: RequestHandler,
  app: RequestHandler,
): http.Server {
  const clients = new ClientAddressResolver(cfg.server.trustedProxies);
  const handler: RequestHandler = (req, res) => {
    if (clients.enabled) clients.tag(req);
    const url = req.url ?? '/';
    if (isProtocolPath(url)) return proxy(req, res);
    if (!isSafeAppUrl(url)) return badRequest(res, 'malformed request target');
    app(req, res);
  };
  const options = connectionOptions(cfg.server);
  const server = tls
    ? https.createServer(
        {
          ...options,
          // A TLS handshake that never completes is never seen by the header timeout: bound it alike.
          handshakeTimeout: cfg.server.headersTimeoutSeconds * 1000,
          cert: tls.cert,
          key: tls.key,
        },
        handler,
      )
    : http.createServer(options, handler);
  // Idle: a socket silent both ways for this long is destroyed (Node's default when no 'timeout' listener).
  server.setTimeout(cfg.server.idleTimeoutSeconds * 1000);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, reason, message, errorName] = clientErrorAnswer(err.code);
    const body = JSON.stringify({ message, errorCode: 0, errorName, errorType: 'USER_ERROR' });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    // A client that does not read the answer must not keep the socket: end() waits for the write to drain.
    setTimeout(() => socket.destroy(), 1000).unref();
  });
  return server;
}

/**
 * connectionOptions bounds every connection (slowloris): the header block must arrive within
 * headersTimeoutSeconds and the whole request within requestTimeoutSeconds (Node answers 408 and closes),
 * an idle keep-alive connection closes after keepAliveTimeoutSeconds. Node checks the first two on an
 * interval (default 30 s); it is made fine enough that a limit is kept to within a second.
 */
export function connectionOptions(s: GatewayConfig['server']): http.ServerOptions {
  const headersTimeout = s.headersTimeoutSeconds * 1000;
  return {
    maxHeaderSize: s.maxHeaderBytes,
    headersTimeout,
    requestTimeout: s.requestTimeoutSeconds * 1000,
    keepAliveTimeout: s.keepAliveTimeoutSeconds * 1000,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeout / 4)),
  };
}

/** clientErrorAnswer: status, reason phrase, message and error name for a parser or timeout error. */
function clientErrorAnswer(code: string | undefined): [number, string, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW')
    return [
      431,
      'Request Header Fields Too Large',
      'request headers too large',
      'REQUEST_HEADER_FIELDS_TOO_LARGE',
    ];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [408, 'Request Timeout', 'request not received in time', 'REQUEST_TIMEOUT'];
  return [400, 'Bad Request', 'malformed HTTP request', 'BAD_REQUEST'];
}

/** isSafeAppUrl accepts only origin-form targets the app's URL parser takes without surprises. */
function isSafeAppUrl(url: string): boolean {
  if (url.length > 8192 || !url.startsWith('/') || url.startsWith('//')) return false;
  // Backslashes and dot segments would be normalised away by the URL parser: refuse, never reinterpret.
  if (/\\|(^|\/)(\.|%2e){1,2}(\/|\?|#|$)/i.test(url)) return false;
  try {
    decodeURIComponent(url);
    new URL(url, 'http://localhost');
    return true;
  } catch {
    return false;
  }
}

function badRequest(res: http.ServerResponse, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
