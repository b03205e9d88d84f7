import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddress } from '../observability/client-address.js';
import { noteQuery, queryOf, requestId, tagResponse } from '../observability/request-id.js';
import { GatewayError } from '../trino/errors.js';
import { badRequestError, classify, type RequestKind } from '../trino/paths.js';
import { acceptsGzip, prepareHeaders } from './forward-headers.js';
import { checkOwner } from './follow-up-owner.js';
import { anonymous, applyPrincipal, isStatusPath } from './identity.js';
import { uiLoginForm, type UiLoginForm } from './ui-login.js';
import { isUiLogin, uiQueryId } from './ui-paths.js';
import { noBackend, notFound, ProxyKit, type ProtocolProxyDeps } from './proxy-kit.js';
import type { AuthOutcome } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import type { Backend } from '../backends/backend.js';
import type {
  ForwardOptions,
  ForwardOutcome,
  ResponseBody,
  UpstreamFlow,
  UpstreamResponse,
} from './forward.js';
import { sendStatementResponse, type StatementResponseOptions } from './statement-response.js';
import type { StatementFacts } from './statement-scanner.js';
import type { UrlRewriteContext } from './url-rewrite.js';
import { submit } from './submission.js';
import { QUEUE_OWNER } from '../queue/queue-gate.js';
import { toGatewayError, type UpstreamFailureKind } from './upstream-error.js';
import { principalOf, readCookie, splitTarget } from './request-parts.js';

export type { ProtocolProxyDeps } from './proxy-kit.js';
export { splitTarget } from './request-parts.js';

const UI_COOKIE = 'switchyard_ui';

/**
 * ProtocolProxy serves the Trino protocol paths: it authenticates, routes new queries, keeps every
 * follow-up on the backend that owns it, and rewrites the URLs it hands back. It never throws: every
 * failure becomes a Trino-shaped error answer (or, when the client is gone, a log line).
 */
export class ProtocolProxy {
  /** Per-request log lines are written at debug level only (decided once: the level is fixed at start). */
  private readonly debug: boolean;
  private readonly kit: ProxyKit;

  constructor(private readonly d: ProtocolProxyDeps) {
    this.kit = new ProxyKit(d);
    this.debug = d.logger.isLevelEnabled('debug');
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    let route = 'other';
    const reqId = requestId(req.headers['x-request-id']);
    tagResponse(res, reqId);
    res.on('finish', () => {
      const seconds = (performance.now() - t0) / 1e3;
      this.d.metrics.proxiedRequest(route, res.statusCode, seconds);
      if (this.debug)
        this.d.logger.debug(
          { reqId, ...queryOf(res), method: req.method, route, status: res.statusCode, ms: seconds * 1e3 },
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
      // The hot path, a poll, has its own synchronous way (no async frames); the rest goes through dispatch.
      if (kind.kind === 'statement') this.poll(req, res, kind.queryId, kind.handle, kind.path + search);
      else this.dispatch(req, res, kind, search).catch((e: unknown) => this.kit.fail(res, e));
    } catch (e) {
      this.kit.fail(res, e);
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
        throw badRequestError(kind);
      case 'other':
        throw new GatewayError(404, 'NOT_FOUND', 'not a Trino protocol path');
      case 'info':
        // /v1/info and /v1/info/state are public, as in Trino, and name no user; /v1/status needs a
        // principal like every other path (Trino's StatusResource is MANAGEMENT_READ).
        if (!isStatusPath(req.url)) {
          anonymous(req.headers);
          return this.forwardAny(req, res, req.url ?? '/');
        }
    }
    // PUBLIC in Trino (CoordinatorSegmentResource); clients send no credentials: the handle routes them.
    if (kind.kind === 'spooled') return this.followUpKind(req, res, kind, search);
    if (kind.kind !== 'submit' && !this.d.authenticator.followUpsNeedCredentials)
      return kind.kind === 'info'
        ? this.forwardAny(req, res, req.url ?? '/')
        : this.followUpKind(req, res, kind, search);
    const principal = principalOf(await this.authenticate(req));
    if (kind.kind === 'submit') return submit(this.kit, req, res, principal);
    // One identity rule on every path: a cancel, /v1/query, /v1/status and the cluster's UI act as the
    // principal (or a user it may impersonate), never as a user a header merely names.
    const user = applyPrincipal(req, principal, this.d.resolveUser);
    if (kind.kind === 'info') return this.forwardAny(req, res, req.url ?? '/');
    const queryId =
      kind.kind === 'query' || kind.kind === 'ui-query'
        ? kind.queryId
        : kind.kind === 'ui'
          ? uiQueryId(req)
          : undefined;
    // A query the gateway's queue holds is checked by the queue (no cluster and no affinity know it yet).
    if (queryId !== undefined && !this.d.queue?.holds(queryId))
      checkOwner(principal, queryId, this.d.affinity, this.d.resolveUser);
    if (kind.kind === 'ui' && isUiLogin(req))
      return this.uiLogin(req, res, await uiLoginForm(req, principal, user, this.d.resolveUser));
    return this.followUpKind(req, res, kind, search);
  }

  /**
   * uiLogin sends the cluster's UI form login on with the username the principal decided (the form's own
   * username was checked like X-Trino-User), so no one gets a UI token for a user they may not act as. The
   * password goes only to a cluster that is sent clients' credentials.
   */
  private async uiLogin(req: IncomingMessage, res: ServerResponse, form: UiLoginForm): Promise<void> {
    const pinned = readCookie(req.headers.cookie, UI_COOKIE);
    const owner = pinned ? this.d.codec.decode(pinned) : undefined;
    const b =
      owner && this.d.registry.get(owner)
        ? this.kit.backendNamed(owner)
        : this.d.picker.pick(this.d.defaultGroup, { user: '' })?.backend;
    if (!b) throw noBackend(this.d.defaultGroup);
    await this.kit.plain(req, res, b, req.url ?? '', false, form.body(b.forwardsAuthorization));
  }

  private authenticate(req: IncomingMessage): AuthOutcome {
    return this.d.authenticator.authenticate({
      headers: req.headers,
      remoteAddress: clientAddress(req),
    });
  }

  /**
   * poll authenticates a statement follow-up (when the mode wants credentials on every request) and sends
   * it on. A result that is already known, such as a cached Basic verification, keeps the poll synchronous.
   */
  private poll(
    req: IncomingMessage,
    res: ServerResponse,
    queryId: string,
    handle: string | undefined,
    path: string,
  ): void {
    if (!this.d.authenticator.followUpsNeedCredentials) return this.followUp(req, res, queryId, handle, path);
    const auth = this.authenticate(req);
    if (!(auth instanceof Promise)) {
      this.asOwner(req, principalOf(auth), queryId);
      return this.followUp(req, res, queryId, handle, path);
    }
    auth
      .then((a) => {
        this.asOwner(req, principalOf(a), queryId);
        this.followUp(req, res, queryId, handle, path);
      })
      .catch((e: unknown) => this.kit.fail(res, e));
  }

  /** asOwner applies the principal to a statement follow-up and checks that it may act on the query. */
  private asOwner(req: IncomingMessage, principal: Principal, queryId: string): void {
    applyPrincipal(req, principal, this.d.resolveUser);
    if (!this.d.queue?.holds(queryId)) checkOwner(principal, queryId, this.d.affinity, this.d.resolveUser);
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
        return this.kit.segment(req, res, owner, kind.path + search);
      }
      case 'ui-query': {
        const owner = this.d.affinity.queryOwner(kind.queryId);
        if (!owner) throw notFound(kind.queryId);
        res.setHeader(
          'set-cookie',
          `${UI_COOKIE}=${this.d.codec.encode(owner)}; Path=/ui; HttpOnly; SameSite=Lax`,
        );
        await this.kit.plain(req, res, this.kit.backendNamed(owner), req.url ?? '', false);
        return;
      }
      case 'ui': {
        if (/(^|\/)\.\.?(\/|$)|%2e|\\/i.test(req.url ?? ''))
          throw new GatewayError(400, 'BAD_REQUEST', 'path traversal refused');
        const pinned = readCookie(req.headers.cookie, UI_COOKIE);
        const owner = pinned ? this.d.codec.decode(pinned) : undefined;
        if (owner && this.d.registry.get(owner)) {
          await this.kit.plain(req, res, this.kit.backendNamed(owner), req.url ?? '', false);
          return;
        }
        return this.forwardAny(req, res, req.url ?? '');
      }
    }
  }

  /**
   * followUp sends a poll/cancel of a statement to the backend that owns the query. A poll is the hot
   * path: synchronous, one StatementPoll object, no promise and no closure of its own.
   */
  private followUp(
    req: IncomingMessage,
    res: ServerResponse,
    queryId: string,
    handle: string | undefined,
    path: string,
  ): void {
    const owner = handle !== undefined ? this.d.codec.decode(handle) : this.d.affinity.queryOwner(queryId);
    if (!owner) throw notFound(queryId);
    if (owner === QUEUE_OWNER && this.d.queue)
      return this.d.queue.followUp(this.kit, req, res, queryId, path);
    const b = this.kit.backendNamed(owner, queryId);
    this.d.tracker.seen(queryId);
    if (this.debug) noteQuery(res, queryId, b.name);
    if (req.method === 'DELETE') {
      this.cancel(req, res, b, path, queryId).catch((e: unknown) => this.kit.fail(res, e));
      return;
    }
    const clientGzip = acceptsGzip(req);
    const poll = new StatementPoll(
      this.kit,
      req,
      queryId,
      b,
      path,
      clientGzip,
      prepareHeaders(req, b, this.d.tls, true, this.kit.prefix),
    );
    this.d.forwarder.send(req, res, b, poll, (out) => poll.settled(res, out));
  }

  private async cancel(
    req: IncomingMessage,
    res: ServerResponse,
    b: Backend,
    path: string,
    queryId: string,
  ): Promise<void> {
    if (await this.kit.plain(req, res, b, path, true)) this.d.tracker.canceled(queryId);
  }

  /** byQueryId serves /v1/query/{id} (trino-client cancels with DELETE here) on the owner. */
  private async byQueryId(
    req: IncomingMessage,
    res: ServerResponse,
    queryId: string,
    path: string,
  ): Promise<void> {
    if (this.d.queue?.holds(queryId)) return this.d.queue.byQueryId(req, res, queryId);
    const owner = this.d.affinity.queryOwner(queryId);
    if (!owner) throw notFound(queryId);
    const ok = await this.kit.plain(req, res, this.kit.backendNamed(owner, queryId), path, true);
    if (ok && req.method === 'DELETE') this.d.tracker.canceled(queryId);
  }

  /** forwardAny sends a request that belongs to no query (info, UI assets) to an available default-group backend. */
  private async forwardAny(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const pick = this.d.picker.pick(this.d.defaultGroup, { user: '' });
    if (!pick) throw noBackend(this.d.defaultGroup);
    await this.kit.plain(req, res, pick.backend, path, false);
  }
}

/**
 * StatementPoll is one poll's state, and both the forward options and the statement-response hooks, so a
 * poll allocates one object instead of a closure per hook.
 */
class StatementPoll implements ForwardOptions, StatementResponseOptions {
  readonly ctx: UrlRewriteContext;
  readonly backendName: string;

  constructor(
    private readonly kit: ProxyKit,
    private readonly req: IncomingMessage,
    private readonly queryId: string,
    private readonly b: Backend,
    readonly path: string,
    readonly clientGzip: boolean,
    fwdOrigin: string,
  ) {
    this.ctx = kit.rewriteContext(b, fwdOrigin);
    this.backendName = b.name;
  }

  onResponse(up: UpstreamResponse, res: ServerResponse, flow: UpstreamFlow): ResponseBody {
    return sendStatementResponse(up, res, flow, this);
  }

  beforeSend(facts: StatementFacts, up: UpstreamResponse): void {
    facts.queryId ??= this.queryId;
    this.kit.noteTransaction(up.headers, this.b);
  }

  done(facts: StatementFacts | undefined, up: UpstreamResponse): void {
    const tracker = this.kit.d.tracker;
    if (up.statusCode === 200) {
      tracker.answered(this.queryId);
      if (this.path.startsWith('/v1/statement/executing/')) this.kit.d.queue?.executing(this.queryId);
      this.kit.settle(facts);
    }
    // The cluster does not know the query (it restarted, or the slug was forged): see tracker.lost.
    else if (up.statusCode === 404)
      tracker.lost(this.queryId, {
        state: 'FAILED',
        errorName: 'QUERY_NOT_FOUND',
        errorType: 'EXTERNAL',
        errorMessage: `backend ${this.b.name} no longer knows the query`,
      });
  }

  onLateFailure(kind: UpstreamFailureKind, res: ServerResponse): void {
    this.settled(res, { ok: false, kind });
  }

  /** settled handles a poll that got no answer: the client gets a Trino error. */
  settled(res: ServerResponse, out: ForwardOutcome): void {
    if (out.ok) return;
    // A query still in its cluster's queue, whose cluster went away: the queue may send it elsewhere.
    if (
      (out.kind === 'refused' || out.kind === 'reset') &&
      !res.headersSent &&
      this.kit.d.queue?.failover(this.kit, this.req, res, this.queryId, this.path)
    ) {
      this.kit.d.onUpstreamFailure?.(this.b.name, out.kind);
      return;
    }
    this.kit.upstreamFailed(res, this.b, out.kind);
    // A refused or reset poll: the cluster may have gone away. Unless a later poll is answered, the query
    // ends (its in-flight count must not keep the backend looking busy).
    if (out.kind === 'refused' || out.kind === 'reset') {
      const e = toGatewayError(out.kind, this.b.name);
      this.kit.d.tracker.lost(this.queryId, {
        state: 'FAILED',
        errorName: e.errorName,
        errorType: e.errorType,
        errorMessage: e.message,
      });
    }
  }
}
