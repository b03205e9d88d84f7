import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { clientAddress } from '../observability/client-address.js';
import { queryOf, requestId, tagResponse } from '../observability/request-id.js';
import { GatewayError } from '../trino/errors.js';
import { badRequestError, classify, type RequestKind } from '../trino/paths.js';
import { FailedQueries } from './failed-queries.js';
import { answerError } from './failure-answer.js';
import { forwardFollowUp, type FollowUp } from './follow-up.js';
import { checkOwner, ownerKnown } from './follow-up-owner.js';
import { anonymous, applyPrincipal, isStatusPath } from './identity.js';
import { proxyContext, type ProtocolProxyDeps, type ProxyContext } from './proxy-deps.js';
import { relayAny, relaySegment } from './relay.js';
import { toTrinoFamily } from './presto-family.js';
import { principalOf, splitTarget } from './request-parts.js';
import { submit } from './submission.js';
import { OAuth2PassThrough } from './oauth2-passthrough.js';
import { UiProxy } from './ui-proxy.js';

export type { ProtocolProxyDeps } from './proxy-deps.js';

/** A request that needs a principal: a new query or a follow-up. */
type Authenticated = FollowUp | { kind: 'submit' };

/**
 * ProtocolProxy serves the Trino protocol paths. Every request takes one way: classify it; answer the
 * malformed and the public ones (spooled segments, /v1/info); authenticate the rest (synchronously when
 * the result is already known, as for a cached Basic check on a poll); then a new query is placed
 * (submission.ts) and a follow-up goes to its owner (follow-up.ts). It never throws: every failure becomes
 * a Trino-shaped error answer (or, when the client is gone, a log line).
 */
export class ProtocolProxy {
  private readonly cx: ProxyContext;
  /** Trino's web UI (/ui/*) and the clusters' own OAuth2 (/oauth2/*): modules of their own. */
  private readonly ui: UiProxy;
  private readonly oauth2: OAuth2PassThrough;

  constructor(deps: ProtocolProxyDeps) {
    const cx = (this.cx = proxyContext(deps));
    const secureCookies = cx.publicUrl.startsWith('https:');
    this.ui = new UiProxy(cx, {
      needsPrincipal: cx.authenticator.followUpsNeedCredentials,
      authenticate: (req, authorization) =>
        cx.authenticator.authenticate({
          headers: authorization ? { ...req.headers, authorization } : req.headers,
          remoteAddress: clientAddress(req),
        }),
      signIn: cx.webUi ?? { basic: true, tokens: false },
      secureCookies,
    });
    this.oauth2 = new OAuth2PassThrough(cx, secureCookies);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    let route = 'other';
    const reqId = requestId(req.headers['x-request-id']);
    tagResponse(res, reqId);
    res.on('finish', () => {
      const seconds = (performance.now() - t0) / 1e3;
      this.cx.metrics.proxiedRequest(route, res.statusCode, seconds);
      if (this.cx.debug)
        this.cx.logger.debug(
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
      toTrinoFamily(req, res);
      route = kind.kind === 'statement' ? 'followup' : kind.kind === 'submit' ? 'statement' : kind.kind;
      this.dispatch(req, res, kind, target?.search ?? '');
    } catch (e) {
      answerError(this.cx, res, e);
    }
  }

  /** dispatch answers what needs no principal and authenticates the rest. Throws synchronously only. */
  private dispatch(req: IncomingMessage, res: ServerResponse, kind: RequestKind, search: string): void {
    switch (kind.kind) {
      case 'bad':
        throw badRequestError(kind);
      case 'other': {
        const path = (req.url ?? '').split('?')[0];
        if (path.startsWith('/oauth2/')) return this.settle(res, this.oauth2.handle(req, res, path, search));
        throw new GatewayError(404, 'NOT_FOUND', 'not a Trino protocol path');
      }
      case 'ui':
      case 'ui-query': {
        // The web UI signs browsers in itself (password, token or OIDC), so it authenticates on its own.
        const queryId = kind.kind === 'ui-query' ? kind.queryId : undefined;
        return this.settle(res, this.ui.handle(req, res, (req.url ?? '').split('?')[0], queryId));
      }
      case 'spooled': {
        // PUBLIC in Trino (CoordinatorSegmentResource); clients send no credentials: the handle routes them.
        const owner = kind.handle ? this.cx.codec.decode(kind.handle) : undefined;
        if (!owner) throw new GatewayError(404, 'NOT_FOUND', 'unknown spooled segment');
        return this.settle(res, relaySegment(this.cx, req, res, owner, kind.path + search));
      }
      case 'info':
        // /v1/info and /v1/info/state are public, as in Trino, and name no user; /v1/status needs a
        // principal like every other path (Trino's StatusResource is MANAGEMENT_READ).
        if (!isStatusPath(req.url)) {
          anonymous(req.headers);
          return this.settle(res, relayAny(this.cx, req, res));
        }
    }
    // Mode `none` trusts X-Trino-User on follow-ups as sent; a new query still needs a user.
    if (kind.kind !== 'submit' && !this.cx.authenticator.followUpsNeedCredentials)
      return this.settle(res, forwardFollowUp(this.cx, req, res, kind, search));
    const auth = this.cx.authenticator.authenticate({
      headers: req.headers,
      remoteAddress: clientAddress(req),
    });
    if (!(auth instanceof Promise))
      return this.settle(res, this.as(principalOf(auth), req, res, kind, search));
    auth
      .then((a) => this.as(principalOf(a), req, res, kind, search))
      .catch((e: unknown) => answerError(this.cx, res, e));
  }

  /**
   * as serves an authenticated request as its principal. One identity rule on every path: a poll, a
   * cancel, /v1/query, /v1/status and the cluster's UI act as the principal (or a user it may
   * impersonate), never as a user a header merely names, and only on queries the principal may act on.
   */
  private as(
    principal: Principal,
    req: IncomingMessage,
    res: ServerResponse,
    kind: Authenticated,
    search: string,
  ): Promise<void> | void {
    const cx = this.cx;
    if (kind.kind === 'submit') return submit(cx, req, res, principal);
    applyPrincipal(req, principal, cx.resolveUser);
    const queryId = kind.kind === 'statement' || kind.kind === 'query' ? kind.queryId : undefined;
    // A query the gateway failed itself ran nowhere: its random id is the poll's only secret. A query the
    // gateway's queue holds is checked by the queue (no cluster and no affinity know it yet).
    if (queryId === undefined || FailedQueries.owns(queryId) || cx.queue?.holds(queryId))
      return forwardFollowUp(cx, req, res, kind, search);
    const checked = () => {
      checkOwner(principal, queryId, cx.affinity, cx.resolveUser);
      return forwardFollowUp(cx, req, res, kind, search);
    };
    // Memory answers every poll in steady state; a query it does not know is read from the store (and,
    // with server.workers, waited for briefly: the worker that took it may not have written its row yet).
    if (cx.affinity.knows(queryId)) return checked();
    const known = cx.ownerGraceMs
      ? ownerKnown(cx.affinity, queryId, cx.ownerGraceMs)
      : cx.affinity.recall(queryId);
    return known.then(checked);
  }

  /** settle answers the failure of a follow-up that went async (a relay, a submission). */
  private settle(res: ServerResponse, p: Promise<void> | void): void {
    p?.catch((e: unknown) => answerError(this.cx, res, e));
  }
}

export { splitTarget } from './request-parts.js';
