import { answerUpstreamFailure } from './failure-answer.js';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import { requestIdOf } from '../observability/request-id.js';
import { writeTrinoError } from '../trino/errors.js';
import { HOP_BY_HOP } from '../trino/headers.js';
import { incomingCookies, rewriteSetCookies } from './cluster-cookies.js';
import type { ResponseBody, UpstreamFlow, UpstreamResponse } from './forward.js';
import { prepareHeaders } from './forward-headers.js';
import type { ProxyContext } from './proxy-deps.js';
import { foreignOrigin, guardResponse } from './response-guard.js';

/** Bytes of a body read whole (token-exchange JSON, sign-in pages); a larger one is cut off. */
const MAX_WHOLE = 64 * 1024;
/** Bytes queued for a slow browser before the cluster's answer is held back. */
const QUEUE = 1024 * 1024;

const NOT_COPIED = new Set<string>([...HOP_BY_HOP, 'transfer-encoding', 'content-length']);

/** What a caller of relay may do to a cluster's answer. */
export interface RelayHooks {
  /** A Location on a foreign origin that may pass (an OAuth2 authorization request); default none. */
  foreignLocation?(location: string): boolean;
  /** Answers a redirect to a foreign origin that did not pass (default: Trino error JSON, 502). */
  refused?(res: ServerResponse, location: string): void;
  /** Shapes the head (copied headers, cookies renamed, Location on the gateway); returns the status. */
  head?(status: number, h: OutgoingHttpHeaders): number;
  /** With it, the body (at most 64 KiB, uncompressed) is read first and replaced by what it returns. */
  whole?(status: number, body: Buffer, h: OutgoingHttpHeaders): Buffer;
}

/**
 * relay sends a web-UI or OAuth2 request to backend b and its answer back, as the browser must see it: the
 * cluster gets only its own cookies (cluster-cookies.ts), its Set-Cookie names are kept apart from other
 * clusters' and the gateway's, redirects to its own origins point at the gateway, a redirect elsewhere is
 * refused unless the caller lets it pass. Returns whether the cluster answered.
 */
export async function relay(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  b: Backend,
  path: string,
  hooks: RelayHooks = {},
  body?: Buffer,
): Promise<boolean> {
  prepareHeaders(req, b, cx.tls, !!hooks.whole, cx.prefix);
  const cookie = incomingCookies(req.headers.cookie, b);
  if (cookie === undefined) delete req.headers.cookie;
  else req.headers.cookie = cookie;
  const out = await cx.forwarder.forward(req, res, b, {
    path,
    body,
    onResponse: (up, r, flow) => new RelayBody(cx, b, up, r, flow, hooks),
  });
  if (!out.ok) answerUpstreamFailure(cx, res, b, out.kind);
  return out.ok;
}

class RelayBody implements ResponseBody {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private status = 0;
  private readonly headers: OutgoingHttpHeaders = {};
  private refused = false;

  constructor(
    cx: ProxyContext,
    b: Backend,
    up: UpstreamResponse,
    private readonly res: ServerResponse,
    private readonly flow: UpstreamFlow,
    private readonly hooks: RelayHooks,
  ) {
    const h = this.headers;
    for (const k in up.headers) if (!NOT_COPIED.has(k)) h[k] = up.headers[k];
    if (!hooks.whole && up.headers['content-length'] !== undefined)
      h['content-length'] = up.headers['content-length'];
    const id = requestIdOf(res);
    if (id) h['x-request-id'] = id;
    const loc = typeof h.location === 'string' ? h.location : undefined;
    const foreign = loc !== undefined && !!hooks.foreignLocation?.(loc);
    if (foreign) delete h.location;
    const origins = [b.origin, ...b.advertisedOrigins, new URL(cx.publicUrl).origin];
    let status = guardResponse(up.statusCode, h, origins, cx.publicUrl);
    if (foreign) h.location = loc;
    // After the guard dropped any cookie named like the gateway's, the rest get this cluster's names.
    const cookies = rewriteSetCookies(h['set-cookie'], b, cx.prefix);
    if (cookies) h['set-cookie'] = cookies;
    else delete h['set-cookie'];
    if (status !== up.statusCode) {
      this.refused = true;
      if (hooks.refused && loc !== undefined) hooks.refused(res, loc);
      else writeTrinoError(res, foreignOrigin(b.name, 'redirect'));
      return;
    }
    status = hooks.head?.(status, h) ?? status;
    this.status = status;
    if (!hooks.whole) res.writeHead(status, h);
  }

  data(chunk: Buffer): void {
    if (this.refused) return;
    if (this.hooks.whole) {
      if (this.size < MAX_WHOLE) this.chunks.push(chunk);
      this.size += chunk.length;
      return;
    }
    if (!this.res.write(chunk) && this.res.writableLength > QUEUE) {
      this.flow.pause();
      this.res.once('drain', () => this.flow.resume());
    }
  }

  end(): void {
    if (this.refused) return;
    if (!this.hooks.whole) return void this.res.end();
    const out = this.hooks.whole(
      this.status,
      Buffer.concat(this.chunks).subarray(0, MAX_WHOLE),
      this.headers,
    );
    this.headers['content-length'] = out.length;
    if (this.headers['content-encoding'] !== undefined) delete this.headers['content-encoding'];
    this.res.writeHead(this.status, this.headers);
    this.res.end(out);
  }

  abort(): void {
    this.res.destroy();
  }

  discard(): void {
    this.chunks.length = 0;
  }
}
