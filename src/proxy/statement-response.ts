import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createGzip, gzip, type Gzip } from 'node:zlib';
import { HOP_BY_HOP } from '../trino/headers.js';
import { StatementScanner, type StatementFacts } from './statement-scanner.js';
import type { UrlRewriteContext } from './url-rewrite.js';
import { requestIdOf } from '../observability/request-id.js';
import { ClusterErrorBody, isClusterTextError } from './cluster-error.js';
import { writeTrinoError, type GatewayError } from '../trino/errors.js';
import { isRefusal } from './failed-queries.js';
import { foreignOrigin, guardResponse } from './response-guard.js';
import type { ResponseBody, UpstreamFlow, UpstreamResponse } from './forward.js';
import { ChallengeBody, isExternalAuthChallenge } from './oauth2-challenge.js';
import { speaksPresto, toPrestoFamily } from './presto-family.js';

/** Bodies up to this size are rewritten in one piece and sent with a Content-Length. */
const BUFFER_LIMIT = 256 * 1024;
/** Bytes a streamed body may queue for a slow client before the backend's response is paused. */
const STREAM_QUEUE = 1024 * 1024;
/** Bytes a response that cannot be paused may queue for a slow client before the client is cut off. */
const UNPAUSABLE_QUEUE = 64 * 1024 * 1024;
/** Bodies at least this large are gzip-compressed for clients that accept it; smaller ones are not worth it. */
const GZIP_MIN = 32 * 1024;

export interface StatementResponseOptions {
  ctx: UrlRewriteContext;
  /** The client accepts gzip (the backend was asked for identity so its URLs could be rewritten). */
  clientGzip: boolean;
  /** Called once the whole body passed, or with undefined when it did not. */
  done(facts: StatementFacts | undefined, up: UpstreamResponse): void;
  /** Called with the response head before anything is sent (affinity must be recorded first). */
  beforeSend?(facts: StatementFacts, up: UpstreamResponse): void;
  /** The backend's name, for the message of an error it answered in text or HTML. */
  backendName?: string;
  /**
   * Offered a final page (no nextUri) read whole, after beforeSend and before anything is sent: true when
   * it answers the client itself instead (the gateway's queue sends a query its cluster failed at start
   * to another backend); `done` is then not called. Pages that stream (over 256 KB) are not offered.
   */
  intercept?(facts: StatementFacts, up: UpstreamResponse, res: ServerResponse): boolean;
  /**
   * For a submission: answers an error made of the cluster's text or HTML answer that refuses the statement
   * (isRefusal: a 502 naming a wrong setting, a proxy's 502/504) as a failed query instead of a status.
   */
  failQuery?(err: GatewayError): void;
}

/** Response headers never copied: hop-by-hop ones, and the framing the gateway sets itself. */
const NOT_COPIED = new Set<string>([...HOP_BY_HOP, 'transfer-encoding', 'content-length']);

function copyHeaders(from: IncomingHttpHeaders, res: ServerResponse): OutgoingHttpHeaders {
  // Built key by key (no spread-then-delete, which leaves a slow dictionary-mode object per response).
  const h: OutgoingHttpHeaders = {};
  for (const k in from) if (!NOT_COPIED.has(k)) h[k] = from[k];
  if (speaksPresto(res)) toPrestoFamily(h);
  const id = requestIdOf(res);
  if (id) h['x-request-id'] = id;
  return h;
}

/**
 * sendStatementResponse relays a statement JSON response with backend URLs rewritten, and returns the
 * consumer of its body. Small bodies (the common poll page) are rewritten whole and sent with a
 * Content-Length; large ones stream through the scanner with back-pressure. A cluster's error in text or
 * HTML becomes Trino's error JSON (cluster-error.ts); other non-JSON answers (204s) pass unchanged.
 */
export function sendStatementResponse(
  up: UpstreamResponse,
  res: ServerResponse,
  flow: UpstreamFlow,
  o: StatementResponseOptions,
): ResponseBody {
  // A cluster running its own OAuth2 asks the client to sign in: pass the challenge on, on the gateway.
  if (isExternalAuthChallenge(up))
    return new ChallengeBody(up, res, o.ctx, o.backendName ?? 'cluster', () => o.done(undefined, up));
  if (isClusterTextError(up))
    return new ClusterErrorBody(
      up,
      res,
      o.backendName ?? 'cluster',
      () => o.done(undefined, up),
      (err) => (o.failQuery && isRefusal(err) ? o.failQuery(err) : writeTrinoError(res, err)),
    );
  const declared = Number(up.headers['content-length'] ?? -1);
  return declared >= 0 && declared <= BUFFER_LIMIT
    ? new WholeBody(up, res, o)
    : new StreamedBody(up, res, flow, o);
}

/**
 * refuseForeign answers a statement response that would send the client to a foreign origin (a nextUri,
 * or a redirect, on none of the backend's origins) with a 502 instead (a failed query for a submission);
 * the query is not taken on.
 */
function refuseForeign(res: ServerResponse, o: StatementResponseOptions, up: UpstreamResponse): void {
  const err = foreignOrigin(undefined, 'nextUri or redirect');
  // A submission's answer: the statement may run there, so never a status a client POSTs again on.
  if (o.failQuery) o.failQuery(err);
  else writeTrinoError(res, err);
  o.done(undefined, up);
}

/** A body small enough to rewrite in one piece. */
class WholeBody implements ResponseBody {
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly up: UpstreamResponse,
    private readonly res: ServerResponse,
    private readonly o: StatementResponseOptions,
  ) {}

  data(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  end(): void {
    const { up, res, o, chunks } = this;
    const scanner = new StatementScanner(o.ctx);
    const out = scanner.push(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    out.push(...scanner.end());
    const body = out.length === 1 ? out[0] : Buffer.concat(out);
    if (scanner.facts.foreignNext) return refuseForeign(res, o, up);
    o.beforeSend?.(scanner.facts, up);
    if (o.intercept && !scanner.facts.hasNext && o.intercept(scanner.facts, up, res)) return;
    const headers = copyHeaders(up.headers, res);
    const status = guardResponse(up.statusCode, headers, o.ctx.origins, o.ctx.publicUrl);
    if (status !== up.statusCode) return refuseForeign(res, o, up);
    if (o.clientGzip && body.length >= GZIP_MIN) {
      gzip(body, { level: 1 }, (err, z) => {
        if (err) return res.destroy();
        headers['content-encoding'] = 'gzip';
        headers['content-length'] = z.length;
        res.writeHead(up.statusCode, headers);
        res.end(z);
        o.done(scanner.facts, up);
      });
      return;
    }
    headers['content-length'] = body.length;
    res.writeHead(up.statusCode, headers);
    res.end(body);
    o.done(scanner.facts, up);
  }

  abort(): void {
    this.res.destroy();
  }

  discard(): void {
    this.chunks.length = 0;
  }
}

/**
 * A large (or unframed) body, streamed: headers go first, so the id must be known from the first chunk
 * (it always is: Trino writes id/infoUri/nextUri before columns and data).
 */
class StreamedBody implements ResponseBody {
  private readonly scanner: StatementScanner;
  private readonly gz: Gzip | undefined;
  private readonly sink: NodeJS.WritableStream & { writableLength: number };
  /**
   * Whether the backend's response may be paused. undici 7 cannot pause a response that ends its connection
   * (Connection: close, or no length and no chunking): the end of the socket would hit its parser while
   * paused and throw out of an event handler (nodejs/undici#5360, fixed only in undici 8 for Node 22).
   */
  private readonly canPause: boolean;
  private started = false;
  /** The answer pointed the client at a foreign origin: the client got a 502 instead. */
  private refused = false;
  private paused = false;
  private finished = false;

  constructor(
    private readonly up: UpstreamResponse,
    private readonly res: ServerResponse,
    private readonly flow: UpstreamFlow,
    private readonly o: StatementResponseOptions,
  ) {
    this.scanner = new StatementScanner(o.ctx);
    this.gz = o.clientGzip ? createGzip({ level: 1 }) : undefined;
    this.sink = this.gz ?? res;
    if (this.gz) this.gz.pipe(res);
    const h = up.headers;
    this.canPause =
      !/\bclose\b/i.test(String(h.connection ?? '')) &&
      (h['content-length'] !== undefined || /\bchunked\b/i.test(String(h['transfer-encoding'] ?? '')));
    res.on('close', () => {
      if (res.writableFinished) return;
      this.gz?.destroy();
      this.finish(undefined);
    });
  }

  private finish(facts: StatementFacts | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.o.done(facts, this.up);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const headers = copyHeaders(this.up.headers, this.res);
    const status = guardResponse(this.up.statusCode, headers, this.o.ctx.origins, this.o.ctx.publicUrl);
    if (this.scanner.facts.foreignNext || status !== this.up.statusCode) {
      // Nothing of this answer is passed on; the rest of its body is dropped.
      this.refused = true;
      this.finished = true;
      this.gz?.unpipe(this.res);
      this.gz?.destroy();
      refuseForeign(this.res, this.o, this.up);
      return;
    }
    this.o.beforeSend?.(this.scanner.facts, this.up);
    if (this.gz) headers['content-encoding'] = 'gzip';
    this.res.writeHead(this.up.statusCode, headers);
  }

  private write(bufs: Buffer[]): boolean {
    let ok = true;
    for (const b of bufs) if (b.length) ok = this.sink.write(b) && ok;
    return ok;
  }

  data(chunk: Buffer): void {
    if (this.refused) return;
    const out = this.scanner.push(chunk);
    this.start();
    if (this.refused) return;
    // Back-pressure with some slack: the upstream pauses only once STREAM_QUEUE bytes wait for the client,
    // so both connections keep moving instead of taking turns at the socket's 16 KB mark.
    if (this.write(out) || this.sink.writableLength < STREAM_QUEUE || this.paused) return;
    if (!this.canPause) {
      // Nothing can hold such a response back: a client that lets too much pile up is cut off.
      if (this.sink.writableLength >= UNPAUSABLE_QUEUE) this.abort();
      return;
    }
    this.paused = true;
    this.flow.pause();
    this.sink.once('drain', () => {
      this.paused = false;
      this.flow.resume();
    });
  }

  end(): void {
    this.start();
    if (this.refused) return;
    this.write(this.scanner.end());
    this.sink.end();
    this.finish(this.scanner.facts);
  }

  abort(): void {
    this.gz?.destroy();
    this.res.destroy();
  }

  discard(): void {
    // Nothing was sent; whoever answers the client instead also reports the failure.
    this.finished = true;
    if (this.gz) {
      this.gz.unpipe(this.res);
      this.gz.destroy();
    }
  }
}
