import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createGzip, gzip } from 'node:zlib';
import { HOP_BY_HOP } from '../trino/headers.js';
import { StatementScanner, type StatementFacts } from './statement-scanner.js';
import type { UrlRewriteContext } from './url-rewrite.js';
import { requestIdOf } from '../observability/request-id.js';

/** Bodies up to this size are rewritten in one piece and sent with a Content-Length. */
const BUFFER_LIMIT = 256 * 1024;
/** Bytes a streamed body may queue for a slow client before the backend's response is paused. */
const STREAM_QUEUE = 1024 * 1024;
/** Bodies at least this large are gzip-compressed for clients that accept it; smaller ones are not worth it. */
const GZIP_MIN = 32 * 1024;

export interface StatementResponseOptions {
  ctx: UrlRewriteContext;
  /** The client accepts gzip (the backend was asked for identity so its URLs could be rewritten). */
  clientGzip: boolean;
  /** Called once the whole body passed, or with undefined when it did not. */
  done: (facts: StatementFacts | undefined, proxyRes: IncomingMessage) => void;
  /** Called with the response headers before anything is sent (affinity must be recorded first). */
  beforeSend?: (facts: StatementFacts, proxyRes: IncomingMessage) => void;
}

/** Response headers never copied: hop-by-hop ones, and the framing the gateway sets itself. */
const NOT_COPIED = new Set<string>([...HOP_BY_HOP, 'transfer-encoding', 'content-length']);

function copyHeaders(proxyRes: IncomingMessage): OutgoingHttpHeaders {
  // Built key by key (no spread-then-delete, which leaves a slow dictionary-mode object per response).
  const h: OutgoingHttpHeaders = {};
  const from = proxyRes.headers;
  for (const k in from) if (!NOT_COPIED.has(k)) h[k] = from[k];
  return h;
}

/**
 * sendStatementResponse relays a statement JSON response with backend URLs rewritten. Small bodies
 * (the common poll page) are rewritten whole and sent with a Content-Length; large ones stream through
 * the scanner with back-pressure. Non-JSON answers (errors as text, 204s) pass unchanged.
 */
export function sendStatementResponse(
  proxyRes: IncomingMessage,
  res: ServerResponse,
  o: StatementResponseOptions,
): void {
  const headers = copyHeaders(proxyRes);
  const id = requestIdOf(res);
  if (id) headers['x-request-id'] = id;
  const status = proxyRes.statusCode ?? 502;
  const scanner = new StatementScanner(o.ctx);
  const declared = Number(proxyRes.headers['content-length'] ?? -1);
  if (declared >= 0 && declared <= BUFFER_LIMIT) {
    const chunks: Buffer[] = [];
    proxyRes.on('data', (c: Buffer) => chunks.push(c));
    proxyRes.on('end', () => {
      const out = scanner.push(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      out.push(...scanner.end());
      const body = out.length === 1 ? out[0] : Buffer.concat(out);
      o.beforeSend?.(scanner.facts, proxyRes);
      if (o.clientGzip && body.length >= GZIP_MIN) {
        gzip(body, { level: 1 }, (err, z) => {
          if (err) return res.destroy();
          headers['content-encoding'] = 'gzip';
          headers['content-length'] = z.length;
          res.writeHead(status, headers);
          res.end(z);
          o.done(scanner.facts, proxyRes);
        });
        return;
      }
      headers['content-length'] = body.length;
      res.writeHead(status, headers);
      res.end(body);
      o.done(scanner.facts, proxyRes);
    });
    return;
  }
  // Streaming: headers go first, so the id must be known from the first chunk (it always is: Trino
  // writes id/infoUri/nextUri before columns and data).
  let started = false;
  const gz = o.clientGzip ? createGzip({ level: 1 }) : undefined;
  const sink = gz ?? res;
  if (gz) {
    headers['content-encoding'] = 'gzip';
    gz.pipe(res);
  }
  const start = () => {
    if (started) return;
    started = true;
    o.beforeSend?.(scanner.facts, proxyRes);
    res.writeHead(status, headers);
  };
  const write = (bufs: Buffer[]): boolean => {
    let ok = true;
    for (const b of bufs) if (b.length) ok = sink.write(b) && ok;
    return ok;
  };
  proxyRes.on('data', (c: Buffer) => {
    const out = scanner.push(c);
    start();
    // Back-pressure with some slack: the upstream pauses only once STREAM_QUEUE bytes wait for the client,
    // so both connections keep moving instead of taking turns at the socket's 16 KB mark.
    if (!write(out) && sink.writableLength >= STREAM_QUEUE) {
      proxyRes.pause();
      sink.once('drain', () => proxyRes.resume());
    }
  });
  proxyRes.once('end', () => {
    start();
    write(scanner.end());
    sink.end();
    o.done(scanner.facts, proxyRes);
  });
  res.once('close', () => {
    if (!res.writableFinished) {
      proxyRes.destroy();
      o.done(undefined, proxyRes);
    }
  });
}
