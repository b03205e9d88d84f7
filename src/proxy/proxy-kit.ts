import { queryOf, requestIdOf } from '../observability/request-id.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import type { BackendPicker } from '../backends/picker.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { GatewayError, writeQueryFailure, writeTrinoError } from '../trino/errors.js';
import { PRESTO, TRINO } from '../trino/headers.js';
import type { Affinity } from './affinity.js';
import { readOutcome } from './final-page.js';
import type { Forwarder } from './forward.js';
import { prepareHeaders } from './forward-headers.js';
import type { HandleCodec } from './handle-codec.js';
import type { QueryTracker } from './query-tracker.js';
import type { ProxyAuthenticator, QueryRouter, UserResolver } from './seams.js';
import type { StatementFacts } from './statement-scanner.js';
import { toGatewayError, type UpstreamFailureKind } from './upstream-error.js';
import { makeRewriteContext, type UrlRewriteContext } from './url-rewrite.js';
import { HANDLE_SEP } from '../trino/paths.js';
import type { QueueGate } from '../queue/queue-gate.js';

export interface ProtocolProxyDeps {
  publicUrl: string;
  defaultGroup: string;
  tls: boolean;
  maxStatementBytes: number;
  registry: BackendRegistry;
  picker: BackendPicker;
  affinity: Affinity;
  codec: HandleCodec;
  tracker: QueryTracker;
  forwarder: Forwarder;
  authenticator: ProxyAuthenticator;
  router: QueryRouter;
  resolveUser: UserResolver;
  metrics: Metrics;
  logger: Logger;
  /** The gateway's own queue (src/queue), for groups that have one. Default: none. */
  queue?: QueueGate;
  /** Passive health: a transport failure talking to a backend. */
  onUpstreamFailure?: (backend: string, kind: UpstreamFailureKind) => void;
}

/**
 * ProxyKit holds what new queries (submission.ts) and follow-ups (protocol-proxy.ts) share: the plain
 * forward, the per-backend URL-rewrite contexts, transaction and completion bookkeeping, and the one
 * mapping of failures to Trino-shaped answers.
 */
export class ProxyKit {
  private readonly publicOrigin: string;
  /** The path of the public URL (behind a path-routing proxy), sent as X-Forwarded-Prefix. */
  readonly prefix: string;
  private readonly contexts = new WeakMap<Backend, Map<string, UrlRewriteContext>>();

  constructor(readonly d: ProtocolProxyDeps) {
    const pub = new URL(d.publicUrl);
    this.publicOrigin = pub.origin;
    this.prefix = pub.pathname.replace(/\/+$/, '');
  }

  /**
   * plain forwards without looking into the response body (binary-safe, compression preserved); `body`
   * replaces a request body the gateway already read.
   */
  async plain(
    req: IncomingMessage,
    res: ServerResponse,
    b: Backend,
    path: string,
    stripEncoding: boolean,
    body?: Buffer,
  ): Promise<boolean> {
    prepareHeaders(req, b, this.d.tls, stripEncoding, this.prefix);
    const rewriteLocation = (loc: string) => this.ownLocation(b, loc);
    const out = await this.d.forwarder.forward(req, res, b, { path, body, rewriteLocation });
    if (!out.ok) this.upstreamFailed(res, b, out.kind);
    return out.ok && out.status < 300;
  }

  /**
   * segment relays a spooled segment download or ack to the owner the handle names: a backend, or
   * `backend@origin` for one of its workers (where a WORKER_PROXY 303 pointed). No client credentials go
   * (the endpoints are PUBLIC). A 303 to a worker comes back pointing at the gateway, with a handle
   * naming the worker; a redirect to object storage (COORDINATOR_STORAGE_REDIRECT) is left alone.
   */
  async segment(req: IncomingMessage, res: ServerResponse, owner: string, path: string): Promise<void> {
    const at = owner.indexOf('@');
    const b = this.backendNamed(at < 0 ? owner : owner.slice(0, at));
    const origin = at < 0 ? undefined : owner.slice(at + 1);
    prepareHeaders(req, b, this.d.tls, false, this.prefix);
    if (req.headers.authorization !== undefined) delete req.headers.authorization;
    const rewriteLocation = (loc: string) => this.segmentLocation(b, loc);
    const opts = { path, origin, rewriteLocation, storageRedirects: true };
    const out = await this.d.forwarder.forward(req, res, b, opts);
    if (!out.ok) this.upstreamFailed(res, b, out.kind);
  }

  /**
   * ownLocation points a redirect at the gateway when it points at the cluster itself (Trino's web UI
   * builds absolute Locations from the request: its login form, the page after login).
   */
  private ownLocation(b: Backend, loc: string): string | undefined {
    for (const o of [b.origin, ...b.advertisedOrigins])
      if (loc.startsWith(o) && (loc.length === o.length || loc[o.length] === '/'))
        return this.d.publicUrl + loc.slice(o.length);
    return undefined;
  }

  private segmentLocation(b: Backend, loc: string): string | undefined {
    let u: URL;
    try {
      u = new URL(loc);
    } catch {
      return undefined;
    }
    if (!u.pathname.startsWith('/v1/spooled/download/') || u.pathname.includes(HANDLE_SEP)) return undefined;
    const own = u.origin === b.origin || b.advertisedOrigins.includes(u.origin);
    const handle = this.d.codec.encode(own ? b.name : `${b.name}@${u.origin}`);
    return `${this.d.publicUrl}${u.pathname}${HANDLE_SEP}${handle}${u.search}`;
  }

  settle(facts: StatementFacts | undefined): void {
    if (!facts?.queryId || facts.hasNext || !facts.finalBody) return;
    this.d.tracker.finished(facts.queryId, readOutcome(facts.finalBody, facts.finalComplete ?? false));
  }

  noteTransaction(headers: IncomingMessage['headers'], b: Backend): void {
    const started = headers[TRINO.startedTransactionId] ?? headers[PRESTO.startedTransactionId];
    if (typeof started === 'string' && started) this.d.affinity.rememberTransaction(started, b.name);
    const cleared = headers[TRINO.clearTransactionId] ?? headers[PRESTO.clearTransactionId];
    if (typeof cleared === 'string' && cleared) this.d.affinity.forgetTransaction(cleared);
  }

  /** rewriteContext is built once per backend and client-facing origin (a bounded few), not per request. */
  rewriteContext(b: Backend, fwdOrigin: string): UrlRewriteContext {
    let byOrigin = this.contexts.get(b);
    if (!byOrigin) this.contexts.set(b, (byOrigin = new Map()));
    let ctx = byOrigin.get(fwdOrigin);
    if (!ctx) {
      // Its own origin, what it derived from our X-Forwarded-*, origins it advertises (its own load
      // balancer), and ours (a cluster that builds our URLs still needs the handle put in).
      const origins = [...new Set([b.origin, fwdOrigin, ...b.advertisedOrigins, this.d.publicUrl])];
      ctx = makeRewriteContext(origins, this.d.publicUrl, this.d.codec.encode(b.name));
      // The Host a client sends is its choice: keep the cache bounded.
      if (byOrigin.size >= 256) byOrigin.clear();
      byOrigin.set(fwdOrigin, ctx);
    }
    return ctx;
  }

  backendNamed(name: string, queryId?: string): Backend {
    const b = this.d.registry.get(name);
    if (!b)
      throw new GatewayError(
        404,
        'QUERY_NOT_FOUND',
        queryId
          ? `query ${queryId} belongs to backend ${name}, which is no longer configured`
          : `backend ${name} is no longer configured`,
      );
    return b;
  }

  upstreamFailed(
    res: ServerResponse,
    b: Backend,
    kind: UpstreamFailureKind | 'unavailable' | 'client-gone',
  ): void {
    if (kind === 'client-gone') {
      this.d.logger.debug({ reqId: requestIdOf(res), ...queryOf(res), backend: b.name }, 'client went away');
      return;
    }
    if (kind === 'unavailable') {
      writeTrinoError(
        res,
        new GatewayError(
          503,
          'NO_NODES_AVAILABLE',
          `backend ${b.name} is unavailable`,
          'INSUFFICIENT_RESOURCES',
        ),
      );
      return;
    }
    this.d.metrics.upstreamErrors.inc({ backend: b.name, kind });
    if (kind === 'refused' || kind === 'reset') this.d.onUpstreamFailure?.(b.name, kind);
    writeTrinoError(res, toGatewayError(kind, b.name));
  }

  /**
   * submissionLost answers a submission whose cluster broke off or timed out after the statement went: it
   * may run, so the answer is a failed query (HTTP 200), never a status that makes a client POST it again.
   */
  submissionLost(res: ServerResponse, b: Backend, kind: UpstreamFailureKind): void {
    this.d.metrics.upstreamErrors.inc({ backend: b.name, kind });
    if (kind === 'reset') this.d.onUpstreamFailure?.(b.name, kind);
    const e = toGatewayError(kind, b.name);
    const err = new GatewayError(
      e.status,
      e.errorName,
      `${e.message}; the statement may have started there, so it was not sent again`,
      e.errorType,
    );
    writeQueryFailure(res, err, this.d.publicUrl);
  }

  fail(res: ServerResponse, e: unknown): void {
    if (e instanceof GatewayError) return writeTrinoError(res, e);
    this.d.logger.error(
      { reqId: res.getHeader('x-request-id'), err: (e as Error)?.stack ?? String(e) },
      'protocol request failed',
    );
    writeTrinoError(
      res,
      new GatewayError(500, 'GENERIC_INTERNAL_ERROR', 'internal gateway error', 'INTERNAL_ERROR'),
    );
  }
}

export function notFound(queryId: string): GatewayError {
  return new GatewayError(404, 'QUERY_NOT_FOUND', `query ${queryId} is not known to this gateway`);
}

/** noBackend is the answer when a routing group has no available backend. */
export function noBackend(group: string): GatewayError {
  return new GatewayError(
    503,
    'NO_NODES_AVAILABLE',
    `no available backend in routing group "${group}"`,
    'INSUFFICIENT_RESOURCES',
  );
}
