import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
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
 * 4xx from the parser's error hook instead of a bare connection reset.
 */
export function createListener(cfg: GatewayConfig, proxy: RequestHandler, app: RequestHandler): http.Server {
  const clients = new ClientAddressResolver(cfg.server.trustedProxies);
  const handler: RequestHandler = (req, res) => {
    if (clients.enabled) clients.tag(req);
    const url = req.url ?? '/';
    if (isProtocolPath(url)) return proxy(req, res);
    if (!isSafeAppUrl(url)) return badRequest(res, 'malformed request target');
    app(req, res);
  };
  const options = { maxHeaderSize: cfg.server.maxHeaderBytes, keepAliveTimeout: 65_000, requestTimeout: 0 };
  const server = cfg.server.tls
    ? https.createServer(
        {
          ...options,
          cert: readFileSync(resolve(cfg.baseDir, cfg.server.tls.cert)),
          key: readFileSync(resolve(cfg.baseDir, cfg.server.tls.key)),
        },
        handler,
      )
    : http.createServer(options, handler);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      message: tooLarge ? 'request headers too large' : 'malformed HTTP request',
      errorCode: 0,
      errorName: tooLarge ? 'REQUEST_HEADER_FIELDS_TOO_LARGE' : 'BAD_REQUEST',
      errorType: 'USER_ERROR',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
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
