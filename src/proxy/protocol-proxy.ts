import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import type { BackendPicker } from '../backends/picker.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { GatewayError, writeTrinoError } from '../trino/errors.js';
import { PRESTO, TRINO, header } from '../trino/headers.js';
import { classify, type RequestKind } from '../trino/paths.js';
import type { Affinity } from './affinity.js';
import { readOutcome } from './final-page.js';
import type { Forwarder, ForwardOptions } from './forward.js';
import { acceptsGzip, prepareHeaders } from './forward-headers.js';
import type { HandleCodec } from './handle-codec.js';
import type { QueryTracker } from './query-tracker.js';
import { readBody } from './request-body.js';
import { requestId } from '../observability/request-id.js';
import type { ProxyAuthenticator, QueryRouter, RoutingDecision, UserResolver } from './seams.js';
import { sendStatementResponse } from './statement-response.js';
import type { StatementFacts } from './statement-scanner.js';
import { toGatewayError, type UpstreamFailureKind } from './upstream-error.js';
import type { UrlRewriteContext } from './url-rewrite.js';

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
  /** Passive health: a transport failure talking to a backend. */
  onUpstreamFailure?: (backend: string, kind: UpstreamFailureKind) => void;
}

const UI_COOKIE = 'switchyard_ui';
const QUERY_ID_IN_BODY = /"id"\s*:\s*"([a-z0-9_]+)"/;

/**
 * ProtocolProxy serves the Trino protocol paths: it authenticates, routes new queries, keeps every
 * follow-up on the backend that owns it, and rewrites the URLs it hands back. It never throws: every
 * failure becomes a Trino-shaped error answer (or, when the client is gone, a log line).
 */
export class ProtocolProxy {
  private readonly publicOrigin: string;
  /** Per-request log lines are written at debug level only (decided once: the level is fixed at start). */
  private readonly debug: boolean;
  private readonly contexts = new WeakMap<Backend, Map<string, UrlRewriteContext>>();

  constructor(private readonly d: ProtocolProxyDeps) {
    this.publicOrigin = new URL(d.publicUrl).origin;
    this.debug = d.logger.isLevelEnabled('debug');
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    let route = 'other';
    const reqId = requestId(req.headers['x-request-id']);
    res.setHeader('x-request-id', reqId);
    res.once('finish', () => {
      const seconds = (performance.now() - t0) / 1e3;
      this.d.metrics.proxiedRequest(route, res.statusCode, seconds);
      if (this.debug)
        this.d.logger.debug(
          { reqId, method: req.method, route, status: res.statusCode, ms: seconds * 1e3 },
          'protocol request',
        );
    });
    try {
      const target = splitTarget(req.url ?? '/');
      const kind: RequestKind = target
        ? classify(req.method ?? 'GET', target.path, target.search)
        : { kind: 'bad', message: 'malformed request target' };
      if (target) req.url = target.path + target.search;
      route = kind.kind === 'statement' ? 'followup' : kind.kind === 'submit' ? 'statement' : kind.kind;
      const search = target?.search ?? '';
      // The hot path (a poll, no credentials needed) goes straight to followUp: what dispatch would do,
      // minus two async frames.
      const done =
        kind.kind === 'statement' && !this.d.authenticator.followUpsNeedCredentials
          ? this.followUp(req, res, kind.queryId, kind.handle, kind.path + search)
          : this.dispatch(req, res, kind, search);
      done.catch((e: unknown) => this.fail(res, e));
    } catch (e) {
      this.fail(res, e);
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    kind: RequestKind,
    search: string,
  ): Promise<void> {
    switch (kind.kind) {
      case 'bad':
        throw new GatewayError(
          kind.message.startsWith('unknown') ? 404 : 400,
          kind.message.startsWith('unknown') ? 'NOT_FOUND' : 'BAD_REQUEST',
          kind.message,
        );
      case 'other':
        throw new GatewayError(404, 'NOT_FOUND', 'not a Trino protocol path');
      case 'info':
        return this.forwardAny(req, res, req.url ?? '/');
    }
    if (kind.kind !== 'submit' && !this.d.authenticator.followUpsNeedCredentials)
      return this.followUpKind(req, res, kind, search);
    const auth = await this.d.authenticator.authenticate({
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '',
    });
    if (!auth.ok) {
      const headers: Record<string, string> = {};
      if (auth.challenge) headers['www-authenticate'] = auth.challenge;
      if (auth.retryAfterSeconds) headers['retry-after'] = String(auth.retryAfterSeconds);
      const name =
        auth.status === 429
          ? 'RATE_LIMITED'
          : auth.status === 403
            ? 'PERMISSION_DENIED'
            : 'AUTHENTICATION_FAILED';
      throw new GatewayError(auth.status, name, auth.message, 'USER_ERROR', headers);
    }
    if (kind.kind === 'submit') return this.submit(req, res, auth.principal);
    return this.followUpKind(req, res, kind, search);
  }

  private async followUpKind(
    req: IncomingMessage,
    res: ServerResponse,
    kind: RequestKind,
    search: string,
  ): Promise<void> {
    switch (kind.kind) {
      case 'statement':
        return this.followUp(req, res, kind.queryId, kind.handle, kind.path + search);
      case 'query':
        return this.byQueryId(req, res, kind.queryId, req.url ?? '');
      case 'spooled': {
        const owner = kind.handle ? this.d.codec.decode(kind.handle) : undefined;
        if (!owner) throw new GatewayError(404, 'NOT_FOUND', 'unknown spooled segment');
        await this.plain(req, res, this.backendNamed(owner), kind.path + search, false);
        return;
      }
      case 'ui-query': {
        const owner = this.d.affinity.queryOwner(kind.queryId);
        if (!owner) throw notFound(kind.queryId);
        res.setHeader(
          'set-cookie',
          `${UI_COOKIE}=${this.d.codec.encode(owner)}; Path=/ui; HttpOnly; SameSite=Lax`,
        );
        await this.plain(req, res, this.backendNamed(owner), req.url ?? '', false);
        return;
      }
      case 'ui': {
        if (/(^|\/)\.\.?(\/|$)|%2e|\\/i.test(req.url ?? ''))
          throw new GatewayError(400, 'BAD_REQUEST', 'path traversal refused');
        const pinned = readCookie(req.headers.cookie, UI_COOKIE);
        const owner = pinned ? this.d.codec.decode(pinned) : undefined;
        if (owner && this.d.registry.get(owner)) {
          await this.plain(req, res, this.backendNamed(owner), req.url ?? '', false);
          return;
        }
        return this.forwardAny(req, res, req.url ?? '');
      }
    }
  }

  /** submit routes a new query: group, backend, one retry on refusal, then the statement response. */
  private async submit(
    req: IncomingMessage,
    res: ServerResponse,
    principal: import('../auth/principal.js').Principal,
  ): Promise<void> {
    const requested = header(req.headers, 'user');
    const who = this.d.resolveUser(principal, requested);
    if (!who.ok) throw new GatewayError(403, 'PERMISSION_DENIED', who.message);
    const user = who.user;
    const body = await readBody(req, this.d.maxStatementBytes);
    const sql = body.toString('utf8');
    // As Trino's QueuedStatementResource does, but in Trino's error JSON and before any routing.
    if (!sql.trim()) throw new GatewayError(400, 'BAD_REQUEST', 'SQL statement is empty');
    setUser(req, user);

    const txn = header(req.headers, 'transactionId');
    let decision: RoutingDecision;
    let backend: Backend | undefined;
    let policy: string | undefined;
    if (txn && txn.toUpperCase() !== 'NONE') {
      const owner = this.d.affinity.transactionOwner(txn);
      if (!owner)
        throw new GatewayError(
          404,
          'UNKNOWN_TRANSACTION',
          `transaction ${txn.slice(0, 64)} is not known to this gateway`,
        );
      backend = this.backendNamed(owner);
      decision = { group: backend.group, source: 'transaction' };
    } else {
      const d = this.d.router.route({ headers: req.headers, principal, sql });
      if (d instanceof GatewayError) {
        this.d.metrics.routingFailures.inc({ reason: d.status === 403 ? 'forbidden_group' : 'no_group' });
        throw d;
      }
      decision = d;
      const pick = this.d.picker.pick(d.group, { user });
      if (!pick) {
        this.d.metrics.routingFailures.inc({ reason: 'no_backend' });
        throw new GatewayError(
          503,
          'NO_NODES_AVAILABLE',
          `no available backend in routing group "${d.group}"`,
          'INSUFFICIENT_RESOURCES',
        );
      }
      backend = pick.backend;
      policy = pick.policy;
    }

    const clientGzip = acceptsGzip(req);
    const remote = req.socket.remoteAddress;
    const source = header(req.headers, 'source');
    const attempt = (b: Backend, retryable: boolean) => {
      const fwdOrigin = prepareHeaders(req, b, this.d.tls, true);
      const opts: ForwardOptions = {
        body,
        path: '/v1/statement',
        refuse503: retryable,
        onResponse: (proxyRes, _req, res) =>
          sendStatementResponse(proxyRes, res, {
            ctx: this.rewriteContext(b, fwdOrigin),
            clientGzip,
            beforeSend: (facts) => {
              const queryId = facts.queryId ?? QUERY_ID_IN_BODY.exec(facts.head ?? '')?.[1];
              this.noteTransaction(proxyRes.headers, b);
              if (!queryId || (proxyRes.statusCode ?? 0) >= 300) return;
              facts.queryId = queryId;
              this.d.affinity.rememberQuery(queryId, b.name);
              this.d.tracker.started({
                queryId,
                backend: b.name,
                group: decision.group,
                user,
                source,
                clientAddress: remote,
                rule: decision.rule,
                policy,
                sql,
              });
            },
            done: (facts) => this.settle(facts),
          }),
      };
      // Counted as load from the pick until the answer arrives, so a burst of submissions spreads out
      // instead of all landing where the load looked lowest a moment ago.
      b.submitting++;
      return this.d.forwarder.forward(req, res, b, opts).finally(() => b.submitting--);
    };

    let out = await attempt(backend, decision.source !== 'transaction');
    if (!out.ok && (out.kind === 'refused' || out.kind === 'unavailable')) {
      if (out.kind === 'refused') this.d.onUpstreamFailure?.(backend.name, 'refused');
      const second =
        decision.source === 'transaction' ? undefined : this.d.picker.pick(decision.group, { user }, backend);
      if (second) {
        this.d.metrics.submissionRetries.inc({ group: decision.group });
        this.d.logger.debug(
          { from: backend.name, to: second.backend.name },
          'submission refused; retrying once',
        );
        backend = second.backend;
        policy = second.policy;
        out = await attempt(backend, false);
      } else if (out.kind === 'unavailable') {
        throw new GatewayError(
          503,
          'NO_NODES_AVAILABLE',
          `backend ${backend.name} is unavailable and no other backend of "${decision.group}" is`,
          'INSUFFICIENT_RESOURCES',
        );
      }
    }
    if (!out.ok) this.upstreamFailed(res, backend, out.kind);
  }

  /** followUp sends a poll/cancel of a statement to the backend that owns the query. */
  private async followUp(
    req: IncomingMessage,
    res: ServerResponse,
    queryId: string,
    handle: string | undefined,
    path: string,
  ): Promise<void> {
    const owner = handle !== undefined ? this.d.codec.decode(handle) : this.d.affinity.queryOwner(queryId);
    if (!owner) throw notFound(queryId);
    const b = this.backendNamed(owner, queryId);
    this.d.tracker.seen(queryId);
    if (req.method === 'DELETE') {
      const ok = await this.plain(req, res, b, path, true);
      if (ok) this.d.tracker.canceled(queryId);
      return;
    }
    const clientGzip = acceptsGzip(req);
    const fwdOrigin = prepareHeaders(req, b, this.d.tls, true);
    const out = await this.d.forwarder.forward(req, res, b, {
      path,
      onResponse: (proxyRes, _req, res) =>
        sendStatementResponse(proxyRes, res, {
          ctx: this.rewriteContext(b, fwdOrigin),
          clientGzip,
          beforeSend: (facts) => {
            facts.queryId ??= queryId;
            this.noteTransaction(proxyRes.headers, b);
          },
          done: (facts, proxyRes) => {
            if (proxyRes.statusCode === 200) {
              this.d.tracker.answered(queryId);
              this.settle(facts);
            }
            // The cluster does not know the query (it restarted, or the slug was forged): see tracker.lost.
            else if (proxyRes.statusCode === 404)
              this.d.tracker.lost(queryId, {
                state: 'FAILED',
                errorName: 'QUERY_NOT_FOUND',
                errorType: 'EXTERNAL',
                errorMessage: `backend ${b.name} no longer knows the query`,
              });
          },
        }),
    });
    if (out.ok) return;
    this.upstreamFailed(res, b, out.kind);
    // A refused or reset poll: the cluster may have gone away, and its client got a Trino error. Unless a
    // later poll is answered, the query ends (its in-flight count must not keep the backend looking busy).
    if (out.kind === 'refused' || out.kind === 'reset') {
      const e = toGatewayError(out.kind, b.name);
      this.d.tracker.lost(queryId, {
        state: 'FAILED',
        errorName: e.errorName,
        errorType: e.errorType,
        errorMessage: e.message,
      });
    }
  }

  /** byQueryId serves /v1/query/{id} (trino-client cancels with DELETE here) on the owner. */
  private async byQueryId(
    req: IncomingMessage,
    res: ServerResponse,
    queryId: string,
    path: string,
  ): Promise<void> {
    const owner = this.d.affinity.queryOwner(queryId);
    if (!owner) throw notFound(queryId);
    const ok = await this.plain(req, res, this.backendNamed(owner, queryId), path, true);
    if (ok && req.method === 'DELETE') this.d.tracker.canceled(queryId);
  }

  /** forwardAny sends a request that belongs to no query (info, UI assets) to an available default-group backend. */
  private async forwardAny(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const pick = this.d.picker.pick(this.d.defaultGroup, { user: '' });
    if (!pick)
      throw new GatewayError(
        503,
        'NO_NODES_AVAILABLE',
        `no available backend in routing group "${this.d.defaultGroup}"`,
        'INSUFFICIENT_RESOURCES',
      );
    await this.plain(req, res, pick.backend, path, false);
  }

  /** plain forwards without looking into the body (binary-safe, compression preserved). */
  private async plain(
    req: IncomingMessage,
    res: ServerResponse,
    b: Backend,
    path: string,
    stripEncoding: boolean,
  ): Promise<boolean> {
    prepareHeaders(req, b, this.d.tls, stripEncoding);
    const out = await this.d.forwarder.forward(req, res, b, { path });
    if (!out.ok) this.upstreamFailed(res, b, out.kind);
    return out.ok && out.status < 300;
  }

  private settle(facts: StatementFacts | undefined): void {
    if (!facts?.queryId || facts.hasNext || !facts.finalBody) return;
    this.d.tracker.finished(facts.queryId, readOutcome(facts.finalBody, facts.finalComplete ?? false));
  }

  private noteTransaction(headers: IncomingMessage['headers'], b: Backend): void {
    const started = headers[TRINO.startedTransactionId] ?? headers[PRESTO.startedTransactionId];
    if (typeof started === 'string' && started) this.d.affinity.rememberTransaction(started, b.name);
    const cleared = headers[TRINO.clearTransactionId] ?? headers[PRESTO.clearTransactionId];
    if (typeof cleared === 'string' && cleared) this.d.affinity.forgetTransaction(cleared);
  }

  /** rewriteContext is built once per backend and client-facing origin (a bounded few), not per request. */
  private rewriteContext(b: Backend, fwdOrigin: string): UrlRewriteContext {
    let byOrigin = this.contexts.get(b);
    if (!byOrigin) this.contexts.set(b, (byOrigin = new Map()));
    let ctx = byOrigin.get(fwdOrigin);
    if (!ctx) {
      const origins =
        fwdOrigin === b.origin ? [b.origin, this.publicOrigin] : [b.origin, fwdOrigin, this.publicOrigin];
      ctx = { origins, publicUrl: this.d.publicUrl, handle: this.d.codec.encode(b.name) };
      // The Host a client sends is its choice: keep the cache bounded.
      if (byOrigin.size >= 256) byOrigin.clear();
      byOrigin.set(fwdOrigin, ctx);
    }
    return ctx;
  }

  private backendNamed(name: string, queryId?: string): Backend {
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

  private upstreamFailed(
    res: ServerResponse,
    b: Backend,
    kind: UpstreamFailureKind | 'unavailable' | 'client-gone',
  ): void {
    if (kind === 'client-gone') {
      this.d.logger.debug({ backend: b.name }, 'client went away');
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

  private fail(res: ServerResponse, e: unknown): void {
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

function notFound(queryId: string): GatewayError {
  return new GatewayError(404, 'QUERY_NOT_FOUND', `query ${queryId} is not known to this gateway`);
}

/** splitTarget reduces a request target (origin-form or absolute-form) to its path and query string. */
export function splitTarget(url: string): { path: string; search: string } | undefined {
  if (url.startsWith('/')) {
    const q = url.indexOf('?');
    return q < 0 ? { path: url, search: '' } : { path: url.slice(0, q), search: url.slice(q) };
  }
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    // Absolute-form (presto-client sends DELETE http://host/...): only the path matters; the host is
    // never used as a destination.
    const u = new URL(url);
    return { path: u.pathname, search: u.search };
  } catch {
    return undefined;
  }
}

function setUser(req: IncomingMessage, user: string): void {
  const h = req.headers;
  const presto = h[PRESTO.user] !== undefined && h[TRINO.user] === undefined;
  delete h[TRINO.user];
  delete h[PRESTO.user];
  h[presto ? PRESTO.user : TRINO.user] = user;
}

function readCookie(cookie: string | undefined, name: string): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
