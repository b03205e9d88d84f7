import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import type { Dispatcher } from 'undici';
import type { Backend } from '../backends/backend.js';
import { kindOf, type UpstreamFailureKind } from './upstream-error.js';
import { HOP_BY_HOP } from '../trino/headers.js';
import { clientWantsClose } from './forward-headers.js';
import { speaksPresto, toPrestoFamily } from './presto-family.js';
import { requestIdOf } from '../observability/request-id.js';
import { writeTrinoError } from '../trino/errors.js';
import { foreignOrigin, guardResponse } from './response-guard.js';
import { Exchange } from './exchange.js';

/** The head of a backend's answer to an exchange the gateway handles itself. */
export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
}

/** What the consumer of a body may do to the backend's response: hold it back while the client is slow. */
export interface UpstreamFlow {
  pause(): void;
  resume(): void;
}

/** The consumer of a self-handled response's body, which is pushed to it chunk by chunk. */
export interface ResponseBody {
  data(chunk: Buffer): void;
  end(): void;
  /** The answer broke off mid-body (backend reset or timeout, client gone): the client must not wait on. */
  abort(): void;
  /** The answer broke off before anything was sent, and someone else answers the client: let go quietly. */
  discard(): void;
}

/**
 * Takes a self-handled response's head and returns the consumer of its body. It must not copy the
 * backend's hop-by-hop headers (they are in `up.headers`, as the backend sent them).
 */
export type ResponseHandler = (up: UpstreamResponse, res: ServerResponse, flow: UpstreamFlow) => ResponseBody;

export interface ForwardOptions {
  /** Replaces the request body (a submission read whole for routing, a checked UI login form). */
  body?: Buffer;
  /** Path (and query) sent to the backend; defaults to req.url. */
  path?: string;
  /** Handle the response ourselves (statement JSON); otherwise it is piped as is. */
  onResponse?: ResponseHandler;
  /** A 503 answer is reported as refused instead of being handled (only before the query exists). Needs onResponse. */
  refuse503?: boolean;
  /**
   * For a relay: maps a redirect's Location (a WORKER_PROXY 303 names a worker the client cannot reach);
   * undefined leaves it as it is.
   */
  rewriteLocation?(location: string): string | undefined;
  /** For a relay: rewrites a cluster's OAuth2 challenge (a 401's WWW-Authenticate) onto the gateway. */
  rewriteChallenge?(value: string): string;
  /**
   * For a relay of a spooled segment: a redirect to another origin (object storage, in retrieval mode
   * COORDINATOR_STORAGE_REDIRECT) passes unchanged; segment clients send no credentials to follow it with.
   */
  storageRedirects?: boolean;
  /** For a relay: the origin to send it to instead of the backend's (a worker of that cluster). */
  origin?: string;
  /**
   * The backend's answer broke off after its head but before anything reached the client: the client can
   * still get a proper error answer. Without it, the client's connection is closed.
   */
  onLateFailure?(kind: UpstreamFailureKind, res: ServerResponse): void;
}

export type ForwardOutcome =
  | { ok: true; status: number }
  | { ok: false; kind: UpstreamFailureKind | 'unavailable' | 'client-gone'; error?: Error };

/** A relayed (not self-handled) request in flight through http-proxy-3. */
interface Relay {
  timedOut: boolean;
  rewriteLocation?: (location: string) => string | undefined;
  rewriteChallenge?: (value: string) => string;
  storageRedirects?: boolean;
  settle: (o: ForwardOutcome) => void;
  /** Origins the backend's own redirects may use (its own, the gateway's public one). */
  origins: readonly string[];
  backend: string;
}

/**
 * Forwarder sends one request to a backend, with request headers prepared by the caller (prepareHeaders:
 * hop-by-hop stripped, X-Forwarded-* set once), a response timeout that maps to 504, a refused connection to
 * 502 (the caller reports it to passive health), and a client disconnect that aborts the upstream request.
 * Two engines, one contract:
 * - Responses the gateway handles itself (statement JSON: every poll, the hot path; submissions, whose 503
 *   may be retried elsewhere) go through the backend's undici pool: one dispatch, one small handler object,
 *   the body pushed to its consumer with pause/resume for back-pressure. Measured in bench/README.md:
 *   undici's client costs about a quarter less CPU per request than http.request.
 * - Responses relayed as they are (UI pages and assets, spooled segments, /v1/info, /v1/query, cancels) go
 *   through http-proxy-3, whose response pipeline (headers, status message, trailers, HTTP/1.0 clients) is
 *   exactly what a relay needs.
 */
export class Forwarder {
  private readonly proxy = createProxyServer({ xfwd: false, ws: false, prependPath: false });
  private readonly relays = new WeakMap<IncomingMessage, Relay>();

  private readonly publicOrigin: string;

  constructor(
    private readonly timeoutMs: number,
    /** The gateway's public URL, where a backend's own redirects are pointed back to. */
    private readonly publicUrl = 'http://localhost',
  ) {
    this.publicOrigin = new URL(publicUrl).origin;
    this.proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
      const r = this.relays.get(req);
      if (!r) return;
      proxyReq.setTimeout(this.timeoutMs, () => {
        r.timedOut = true;
        proxyReq.destroy(new Error('upstream timeout'));
      });
    });
    this.proxy.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => {
      const r = this.relays.get(req);
      if (!r) return;
      proxyRes.once('error', () => res.destroy());
      proxyRes.once('aborted', () => res.destroy());
      for (const h of HOP_BY_HOP) if (proxyRes.headers[h] !== undefined) delete proxyRes.headers[h];
      const loc = proxyRes.headers.location;
      if (r.rewriteLocation && typeof loc === 'string') {
        const to = r.rewriteLocation(loc);
        if (to !== undefined) proxyRes.headers.location = to;
      }
      const challenge = proxyRes.headers['www-authenticate'];
      if (r.rewriteChallenge && proxyRes.statusCode === 401 && challenge !== undefined)
        (proxyRes.headers as Record<string, string | string[]>)['www-authenticate'] = Array.isArray(challenge)
          ? challenge.map(r.rewriteChallenge)
          : r.rewriteChallenge(challenge);
      if (clientWantsClose(req)) proxyRes.headers.connection = 'close';
      if (speaksPresto(res)) toPrestoFamily(proxyRes.headers);
      const id = requestIdOf(res);
      if (id) proxyRes.headers['x-request-id'] = id;
      // A segment's redirect to object storage passes as it is (its clients send no credentials).
      const storage = r.storageRedirects ? storageLocation(proxyRes.headers.location, r.origins) : undefined;
      if (storage !== undefined) delete proxyRes.headers.location;
      const status = guardResponse(proxyRes.statusCode ?? 0, proxyRes.headers, r.origins, this.publicUrl);
      if (storage !== undefined) proxyRes.headers.location = storage;
      if (status !== proxyRes.statusCode) {
        // A redirect to a foreign origin: answered here (http-proxy-3 then pipes nothing), its body dropped.
        proxyRes.resume();
        writeTrinoError(res, foreignOrigin(r.backend, 'redirect'));
      }
      r.settle({ ok: true, status });
    });
  }

  /** forward sends req to backend; the promise settles when response headers arrive or it fails. */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    backend: Backend,
    opts: ForwardOptions,
  ): Promise<ForwardOutcome> {
    if (!opts.onResponse) return this.relay(req, res, backend, opts);
    return new Promise<ForwardOutcome>((resolve) => this.send(req, res, backend, opts, resolve));
  }

  /**
   * send is forward for a self-handled response (opts.onResponse set) with a callback instead of a
   * promise: `settle` is called once, when response headers arrive or the exchange fails. The poll path
   * uses it directly, so a poll costs no promise and no async frame.
   */
  send(
    req: IncomingMessage,
    res: ServerResponse,
    backend: Backend,
    opts: ForwardOptions,
    settle: (o: ForwardOutcome) => void,
  ): void {
    // The client may have gone during an earlier await (a password check): its `close` has already fired.
    if (res.destroyed || req.socket.destroyed) return settle({ ok: false, kind: 'client-gone' });
    const h = req.headers;
    let body: Buffer | IncomingMessage | null = null;
    if (opts.body) {
      // Read whole (a submission): the length the client sent no longer applies.
      body = opts.body;
      if (h['content-length'] !== undefined) delete h['content-length'];
    } else if (hasBody(req)) body = req;
    // undici frames the body itself, refuses these two request headers, and never waits for a 100-continue.
    if (h['transfer-encoding'] !== undefined) delete h['transfer-encoding'];
    if (h.expect !== undefined) delete h.expect;
    const x = new Exchange(res, opts, settle, this.timeoutMs);
    // A client that goes away before its answer is complete aborts the upstream request.
    res.on('close', () => x.clientClosed());
    try {
      backend.pool.dispatch(
        {
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          path: opts.path ?? req.url ?? '/',
          headers: h,
          body,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        x,
      );
    } catch (e) {
      // A request undici refuses to build (it reports most such errors to the handler instead).
      x.onResponseError(undefined, e as Error);
    }
  }

  /** relay passes a request and its response through http-proxy-3 unchanged (but for hop-by-hop headers). */
  private relay(
    req: IncomingMessage,
    res: ServerResponse,
    backend: Backend,
    opts: ForwardOptions,
  ): Promise<ForwardOutcome> {
    const body = opts.body;
    if (body) {
      req.headers['content-length'] = String(body.length);
      if (req.headers['transfer-encoding'] !== undefined) delete req.headers['transfer-encoding'];
    }
    return new Promise<ForwardOutcome>((resolve) => {
      let settled = false;
      const r: Relay = {
        origins: [backend.origin, this.publicOrigin],
        backend: backend.name,
        timedOut: false,
        rewriteLocation: opts.rewriteLocation,
        rewriteChallenge: opts.rewriteChallenge,
        storageRedirects: opts.storageRedirects,
        settle: (o) => {
          if (!settled) {
            settled = true;
            resolve(o);
          }
        },
      };
      this.relays.set(req, r);
      if (opts.path !== undefined) req.url = opts.path;
      const target = opts.origin ? new URL(opts.origin) : backend.target;
      // A worker's address may use another scheme than the coordinator's: then Node's default agent.
      const agent = target.protocol === backend.target.protocol ? backend.agent : undefined;
      const buffer = body && Readable.from([body]);
      this.proxy.web(req, res, { target, agent, buffer }, (err: Error) => {
        if (res.destroyed || req.socket.destroyed) r.settle({ ok: false, kind: 'client-gone', error: err });
        else r.settle({ ok: false, kind: kindOf(err as NodeJS.ErrnoException, r.timedOut), error: err });
      });
    });
  }

  /** close releases http-proxy-3; the keep-alive agents belong to the backends. */
  close(): void {
    this.proxy.close();
  }
}

/** storageLocation is an absolute Location on none of `origins` (a storage URI), else undefined. */
function storageLocation(loc: string | string[] | undefined, origins: readonly string[]): string | undefined {
  if (typeof loc !== 'string' || !/^https?:\/\//i.test(loc)) return undefined;
  try {
    return origins.includes(new URL(loc).origin) ? undefined : loc;
  } catch {
    return undefined;
  }
}

/** hasBody tells whether a request carries a body (HTTP/1.1 frames one only with a length or chunking). */
function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return len !== undefined && len !== '0';
}
