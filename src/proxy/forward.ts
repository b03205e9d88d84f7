import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createProxyServer } from 'http-proxy-3';
import type { Dispatcher } from 'undici';
import type { Backend } from '../backends/backend.js';
import { kindOf, type UpstreamFailureKind } from './upstream-error.js';
import { HOP_BY_HOP } from '../trino/headers.js';
import { clientWantsClose } from './forward-headers.js';
import { requestIdOf } from '../observability/request-id.js';

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
  /** Replaces the request body (a submission read whole for routing). Needs onResponse. */
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
  settle: (o: ForwardOutcome) => void;
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

  constructor(private readonly timeoutMs: number) {
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
      if (clientWantsClose(req)) proxyRes.headers.connection = 'close';
      const id = requestIdOf(res);
      if (id) proxyRes.headers['x-request-id'] = id;
      r.settle({ ok: true, status: proxyRes.statusCode ?? 0 });
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
    return new Promise<ForwardOutcome>((resolve) => {
      let settled = false;
      const r: Relay = {
        timedOut: false,
        rewriteLocation: opts.rewriteLocation,
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
      this.proxy.web(req, res, { target, agent }, (err: Error) => {
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

/** The reason an exchange is aborted when its client went away. */
const CLIENT_GONE = new Error('client went away');

/**
 * Exchange is one self-handled request's state, and its undici handler. Nothing it calls may throw into
 * undici's parser callbacks: a failure of the gateway's own code closes the client's response instead.
 */
class Exchange implements Dispatcher.DispatchHandler, UpstreamFlow {
  private settled = false;
  private clientGone = false;
  private controller: Dispatcher.DispatchController | undefined;
  private body: ResponseBody | undefined;
  private pauseTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: ForwardOptions,
    private readonly onSettle: (o: ForwardOutcome) => void,
    private readonly timeoutMs: number,
  ) {}

  private settle(o: ForwardOutcome): void {
    if (this.settled) return;
    this.settled = true;
    try {
      this.onSettle(o);
    } catch {
      this.res.destroy();
    }
  }

  /** broken ends an exchange whose own handling threw: the client's connection closes, the upstream request ends. */
  private broken(err: unknown): void {
    this.clearPauseTimer();
    this.res.destroy();
    this.controller?.abort(err instanceof Error ? err : new Error(String(err)));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(CLIENT_GONE);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.settled) return;
    if (this.opts.refuse503 && statusCode === 503) {
      // Its body is dropped (no consumer): the caller retries elsewhere or answers itself.
      this.settle({ ok: false, kind: 'unavailable' });
      return;
    }
    this.settle({ ok: true, status: statusCode });
    try {
      this.body = this.opts.onResponse!({ statusCode, headers }, this.res, this);
    } catch (e) {
      this.broken(e);
    }
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    try {
      this.body?.data(chunk);
    } catch (e) {
      this.broken(e);
    }
  }

  onResponseEnd(): void {
    this.clearPauseTimer();
    try {
      this.body?.end();
    } catch (e) {
      this.broken(e);
    }
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    this.clearPauseTimer();
    try {
      const gone = this.clientGone || this.res.destroyed;
      if (!this.body) {
        if (gone) this.settle({ ok: false, kind: 'client-gone', error: err });
        else this.settle({ ok: false, kind: kindOf(err as NodeJS.ErrnoException, false), error: err });
      } else if (!gone && !this.res.headersSent && this.opts.onLateFailure) {
        this.body.discard();
        this.opts.onLateFailure(kindOf(err as NodeJS.ErrnoException, false), this.res);
      } else this.body.abort();
    } catch {
      this.res.destroy();
    }
  }

  clientClosed(): void {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.controller?.abort(CLIENT_GONE);
  }

  /**
   * pause holds the backend's response back while the client catches up. undici's body timeout does not
   * run while paused, so the exchange keeps its own: a client that reads nothing for timeoutMs is cut off,
   * and the backend connection is freed.
   */
  pause(): void {
    this.controller?.pause();
    this.clearPauseTimer();
    this.pauseTimer = setTimeout(() => this.broken(new Error('client stopped reading')), this.timeoutMs);
    this.pauseTimer.unref();
  }

  resume(): void {
    this.clearPauseTimer();
    this.controller?.resume();
  }

  private clearPauseTimer(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
  }
}

/** hasBody tells whether a request carries a body (HTTP/1.1 frames one only with a length or chunking). */
function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return len !== undefined && len !== '0';
}
