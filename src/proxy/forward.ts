import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import type { Backend } from '../backends/backend.js';
import { kindOf, type UpstreamFailureKind } from './upstream-error.js';
import { HOP_BY_HOP } from '../trino/headers.js';
import { clientWantsClose } from './forward-headers.js';

/** How a forwarded response is handed to the client. */
export type ResponseHandler = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => void;

export interface ForwardOptions {
  /** Replaces the request body (a submission read whole for routing). */
  body?: Buffer;
  /** Path (and query) sent to the backend; defaults to req.url. */
  path?: string;
  /** Handle the response ourselves (statement JSON); otherwise it is piped as is. */
  onResponse?: ResponseHandler;
  /** A 503 answer is reported as refused instead of being relayed (only before the query exists). */
  refuse503?: boolean;
}

export type ForwardOutcome =
  | { ok: true; status: number }
  | { ok: false; kind: UpstreamFailureKind | 'unavailable' | 'client-gone'; error?: Error };

interface Attempt {
  opts: ForwardOptions;
  timedOut: boolean;
  settle: (o: ForwardOutcome) => void;
}

/**
 * Forwarder wraps http-proxy-3 for the hot path: one proxy instance, keep-alive agents per backend,
 * request headers prepared by the caller, a response timeout that maps to 504, and a client
 * disconnect that aborts the upstream request (http-proxy-3 destroys it on res 'close').
 */
export class Forwarder {
  private readonly proxy = createProxyServer({ xfwd: false, ws: false, prependPath: false });
  private readonly attempts = new WeakMap<IncomingMessage, Attempt>();

  constructor(private readonly timeoutMs: number) {
    this.proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
      const a = this.attempts.get(req);
      if (!a) return;
      proxyReq.setTimeout(this.timeoutMs, () => {
        a.timedOut = true;
        proxyReq.destroy(new Error('upstream timeout'));
      });
    });
    this.proxy.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => {
      const a = this.attempts.get(req);
      if (!a) return;
      // A backend dying mid-body must not leave the client waiting for bytes that never come.
      proxyRes.once('error', () => res.destroy());
      proxyRes.once('aborted', () => res.destroy());
      // The backend's connection management is not the client's: drop its hop-by-hop headers and
      // answer the client's own Connection wish (http-proxy-3 fills in keep-alive otherwise).
      for (const h of HOP_BY_HOP) delete proxyRes.headers[h];
      if (clientWantsClose(req)) proxyRes.headers.connection = 'close';
      if (a.opts.refuse503 && proxyRes.statusCode === 503) {
        proxyRes.resume();
        a.settle({ ok: false, kind: 'unavailable' });
        return;
      }
      a.settle({ ok: true, status: proxyRes.statusCode ?? 0 });
      a.opts.onResponse?.(proxyRes, req, res);
    });
  }

  /** forward sends req to backend; the promise settles when response headers arrive or it fails. */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    backend: Backend,
    opts: ForwardOptions,
  ): Promise<ForwardOutcome> {
    return new Promise<ForwardOutcome>((resolve) => {
      let settled = false;
      const attempt: Attempt = {
        opts,
        timedOut: false,
        settle: (o) => {
          if (!settled) {
            settled = true;
            resolve(o);
          }
        },
      };
      this.attempts.set(req, attempt);
      if (opts.path !== undefined) req.url = opts.path;
      this.proxy.web(
        req,
        res,
        {
          target: backend.target,
          agent: backend.agent,
          selfHandleResponse: !!opts.onResponse || !!opts.refuse503,
          buffer: opts.body ? Readable.from([opts.body]) : undefined,
        },
        (err: Error) => {
          if (res.destroyed || req.socket.destroyed) {
            attempt.settle({ ok: false, kind: 'client-gone', error: err });
            return;
          }
          attempt.settle({
            ok: false,
            kind: kindOf(err as NodeJS.ErrnoException, attempt.timedOut),
            error: err,
          });
        },
      );
    });
  }

  close(): void {
    this.proxy.close();
  }
}
