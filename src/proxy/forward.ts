import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createProxyServer } from 'http-proxy-3';
import type { Backend } from '../backends/backend.js';
import { kindOf, type UpstreamFailureKind } from './upstream-error.js';
import { HOP_BY_HOP } from '../trino/headers.js';
import { clientWantsClose } from './forward-headers.js';
import { requestIdOf } from '../observability/request-id.js';

/** How a forwarded response is handed to the client: it must not copy the backend's hop-by-hop headers. */
export type ResponseHandler = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => void;

export interface ForwardOptions {
  /** Replaces the request body (a submission read whole for routing). Needs onResponse. */
  body?: Buffer;
  /** Path (and query) sent to the backend; defaults to req.url. */
  path?: string;
  /** Handle the response ourselves (statement JSON); otherwise it is piped as is. */
  onResponse?: ResponseHandler;
  /** A 503 answer is reported as refused instead of being handled (only before the query exists). Needs onResponse. */
  refuse503?: boolean;
}

export type ForwardOutcome =
  | { ok: true; status: number }
  | { ok: false; kind: UpstreamFailureKind | 'unavailable' | 'client-gone'; error?: Error };

/** Per backend: what every request to it shares (computed once, not per request). */
interface Endpoint {
  request: typeof http.request;
  hostname: string;
  port: number;
}

/** A relayed (not self-handled) request in flight through http-proxy-3. */
interface Relay {
  timedOut: boolean;
  settle: (o: ForwardOutcome) => void;
}

/**
 * Forwarder sends one request to a backend with the backend's keep-alive agent, request headers prepared
 * by the caller (prepareHeaders: hop-by-hop stripped, X-Forwarded-* set once), a response timeout that maps
 * to 504, a refused connection to 502 (the caller reports it to passive health), and a client disconnect
 * that aborts the upstream request. Two engines, one contract:
 * - Responses the gateway handles itself (statement JSON: every poll, the hot path; submissions, whose 503
 *   may be retried elsewhere) need no proxy pipeline: one `http.request`, one small state object, no header
 *   copies. Measured in bench/README.md: this alone took polls at 32 connections from 0.66× to 0.81× a bare
 *   node:http forwarder.
 * - Responses relayed as they are (UI pages and assets, spooled segments, /v1/info, /v1/query) go through
 *   http-proxy-3, whose response pipeline (headers, status message, trailers, HTTP/1.0 clients) is exactly
 *   what a relay needs.
 */
export class Forwarder {
  private readonly endpoints = new WeakMap<Backend, Endpoint>();
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
    if (!opts.onResponse) return this.relay(req, res, backend, opts.path);
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
    if (opts.path !== undefined) req.url = opts.path;
    const h = req.headers;
    // DELETE/OPTIONS without a length get an explicit empty body (as a proxy must, RFC 9110 §8.6).
    if ((req.method === 'DELETE' || req.method === 'OPTIONS') && !h['content-length']) {
      h['content-length'] = '0';
      delete h['transfer-encoding'];
    }
    const ep = this.endpoint(backend);
    const proxyReq = ep.request({
      hostname: ep.hostname,
      port: ep.port,
      method: req.method,
      path: req.url ?? '/',
      headers: h,
      agent: backend.agent,
    });
    // One object per exchange and only anonymous listeners: no named closures on the hot path.
    const x = new Exchange(req, res, proxyReq, opts, settle);
    proxyReq.on('error', (err: NodeJS.ErrnoException) => x.fail(err));
    proxyReq.setTimeout(this.timeoutMs, () => x.timeout());
    // A client that goes away before its answer is complete aborts the upstream request.
    res.on('close', () => x.clientClosed());
    proxyReq.on('response', (proxyRes: IncomingMessage) => x.response(proxyRes));
    if (opts.body) proxyReq.end(opts.body);
    else if (!hasBody(req)) proxyReq.end();
    else {
      req.on('error', (err: NodeJS.ErrnoException) => x.fail(err));
      req.pipe(proxyReq);
    }
  }

  /** relay passes a request and its response through http-proxy-3 unchanged (but for hop-by-hop headers). */
  private relay(
    req: IncomingMessage,
    res: ServerResponse,
    backend: Backend,
    path?: string,
  ): Promise<ForwardOutcome> {
    return new Promise<ForwardOutcome>((resolve) => {
      let settled = false;
      const r: Relay = {
        timedOut: false,
        settle: (o) => {
          if (!settled) {
            settled = true;
            resolve(o);
          }
        },
      };
      this.relays.set(req, r);
      if (path !== undefined) req.url = path;
      this.proxy.web(req, res, { target: backend.target, agent: backend.agent }, (err: Error) => {
        if (res.destroyed || req.socket.destroyed) r.settle({ ok: false, kind: 'client-gone', error: err });
        else r.settle({ ok: false, kind: kindOf(err as NodeJS.ErrnoException, r.timedOut), error: err });
      });
    });
  }

  /** close releases http-proxy-3; the keep-alive agents belong to the backends. */
  close(): void {
    this.proxy.close();
  }

  private endpoint(b: Backend): Endpoint {
    let ep = this.endpoints.get(b);
    if (!ep) {
      const t = b.target;
      const tls = t.protocol === 'https:';
      // URL keeps IPv6 brackets in hostname; the resolver wants the bare address.
      const hostname =
        t.hostname.startsWith('[') && t.hostname.endsWith(']') ? t.hostname.slice(1, -1) : t.hostname;
      ep = {
        request: tls ? https.request : http.request,
        hostname,
        port: Number(t.port) || (tls ? 443 : 80),
      };
      this.endpoints.set(b, ep);
    }
    return ep;
  }
}

/** Exchange is one forwarded request's state. */
class Exchange {
  private settled = false;
  private timedOut = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly proxyReq: ClientRequest,
    private readonly opts: ForwardOptions,
    private readonly onSettle: (o: ForwardOutcome) => void,
  ) {}

  settle(o: ForwardOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettle(o);
  }

  fail(err: NodeJS.ErrnoException): void {
    if (this.res.destroyed || this.req.socket.destroyed) {
      this.proxyReq.destroy();
      this.settle({ ok: false, kind: 'client-gone', error: err });
      return;
    }
    this.settle({ ok: false, kind: kindOf(err, this.timedOut), error: err });
  }

  timeout(): void {
    this.timedOut = true;
    this.proxyReq.destroy(new Error('upstream timeout'));
  }

  clientClosed(): void {
    if (!this.res.writableFinished) this.proxyReq.destroy();
  }

  response(proxyRes: IncomingMessage): void {
    const { req, res, opts } = this;
    // A backend dying mid-body must not leave the client waiting for bytes that never come. (`on`, not
    // `once`: each fires at most once here, and `once` wraps every listener in one more closure.)
    proxyRes.on('error', () => res.destroy());
    proxyRes.on('aborted', () => res.destroy());
    // The backend's hop-by-hop headers stay in proxyRes.headers: the handler copies only end-to-end ones
    // (sendStatementResponse), and Node answers the client's own Connection wish. Deleting keys here
    // would turn every poll's header object into a slow dictionary.
    const status = proxyRes.statusCode ?? 0;
    if (opts.refuse503 && status === 503) {
      proxyRes.resume();
      this.settle({ ok: false, kind: 'unavailable' });
      return;
    }
    this.settle({ ok: true, status });
    opts.onResponse!(proxyRes, req, res);
  }
}

/** hasBody tells whether a request carries a body (HTTP/1.1 frames one only with a length or chunking). */
function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return len !== undefined && len !== '0';
}
