import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';
import { requestIdOf } from '../observability/request-id.js';
import { sendQueryPage } from '../trino/query-page.js';
import { GatewayError } from '../trino/errors.js';
import { header } from '../trino/headers.js';
import { answerError, answerSubmissionLost, answerUpstreamFailure } from '../proxy/failure-answer.js';
import { notFound } from '../proxy/follow-up-owner.js';
import type { ProxyContext } from '../proxy/proxy-deps.js';
import type { RoutingDecision } from '../proxy/seams.js';
import { attempt, type Submission } from '../proxy/submission-attempt.js';
import type { AdmissionQueue } from './admission.js';
import type { HeldFailure, HeldQuery, Lease } from './held-query.js';
import { failedPage, queuedPage, type PageUrls } from './queued-page.js';
import { QueryIds } from './query-ids.js';
import { AcceptedSubmissions, type Accepted } from './accepted.js';
import { untilAnswered } from './until-answered.js';
import { readOutcome } from '../proxy/final-page.js';
import type { StatementFacts } from '../proxy/statement-scanner.js';

/** The owner name a queued nextUri's handle is signed for: no backend can have it (names start alphanumeric). */
export const QUEUE_OWNER = '*queue';

/** A new query of a group the queue governs: the proxy's submission and its routing decision. */
export type QueuedSubmission = Submission & {
  readonly decision: RoutingDecision;
  /** Backends that failed it at start (failedAtStart): it goes to each at most once, then fails. */
  failedOn?: Set<string>;
};

/** What a held query keeps to be submitted later: the submission and the request headers it came with. */
export interface HeldSubmission {
  s: QueuedSubmission;
  headers: IncomingHttpHeaders;
}

/** Request headers not kept for a later submission: they describe the first request, not the statement. */
const NOT_KEPT = ['content-length', 'transfer-encoding', 'expect', 'connection', 'keep-alive'];

/**
 * QueueGate is where the proxy meets the gateway's own queue: a new query of a queued group comes here
 * (run now, held, or refused), and so do the polls, cancels and /v1/query/{id} of the queries it holds.
 * When a held query's slot comes, its next poll submits it and answers with the cluster's first page, so
 * the client carries on with the cluster's pages without noticing.
 */
export class QueueGate {
  private readonly ids = new QueryIds();
  /** Submissions a cluster accepted whose client has seen nothing but QUEUED pages (see failover). */
  private readonly accepted = new AcceptedSubmissions();
  private readonly urls: PageUrls;

  constructor(
    readonly admission: AdmissionQueue<HeldSubmission>,
    publicUrl: string,
    handle: string,
    private readonly logger: Logger,
    /** How long a poll of a waiting query is held open before it gets the next QUEUED page (Trino's maxWait). */
    private readonly longPollMs = 1000,
  ) {
    this.urls = { publicUrl, handle };
  }

  governs(group: string): boolean {
    return this.admission.governs(group);
  }

  holds(queryId: string): boolean {
    return this.admission.get(queryId) !== undefined;
  }

  /** ended: the proxy saw a query end (any way): its slot goes back. */
  ended(queryId: string): void {
    this.admission.ended(queryId);
    this.accepted.forget(queryId);
  }

  /** executing: the client of a query moved past its queued pages; it is no longer sent elsewhere. */
  executing(queryId: string): void {
    this.accepted.forget(queryId);
  }

  /**
   * failover answers a poll of a query's queued page whose cluster refused or reset it (the cluster died
   * after accepting the statement): when the statement only reads, the old attempt ends FAILED in history
   * and the statement goes to another backend (or waits in the queue), and this poll gets that new first
   * page. The client sees one query. False when the query cannot be sent again.
   */
  failover(
    cx: ProxyContext,
    req: IncomingMessage,
    res: ServerResponse,
    queryId: string,
    path: string,
  ): boolean {
    if (!path.startsWith('/v1/statement/queued/')) return false;
    const a = this.accepted.takeLost(queryId);
    if (!a) return false;
    cx.tracker.finished(queryId, {
      state: 'FAILED',
      errorName: 'BACKEND_UNREACHABLE',
      errorType: 'EXTERNAL',
      errorMessage: `backend ${a.backend} went away before the query started; sent to another backend`,
    });
    this.sendAgain(cx, req, res, a);
    return true;
  }

  /**
   * failedAtStart answers a query's page that its cluster failed with a cluster-level error
   * (SERVER_STARTING_UP, NO_NODES_AVAILABLE: mayResubmitAfter) while its client had seen nothing but
   * QUEUED pages: the attempt ends in history with the cluster's error, and the statement goes to another
   * backend (or waits), whose first page answers this request. False when the page is passed on as it is.
   */
  failedAtStart(
    cx: ProxyContext,
    req: IncomingMessage,
    res: ServerResponse,
    queryId: string,
    facts: StatementFacts,
  ): boolean {
    const a = this.endFailedAttempt(cx, queryId, facts);
    if (!a) return false;
    this.sendAgain(cx, req, res, a);
    return true;
  }

  /** endFailedAttempt ends in history an attempt its cluster failed at start, when it may go elsewhere. */
  private endFailedAttempt(cx: ProxyContext, queryId: string, facts: StatementFacts): Accepted | undefined {
    if (this.accepted.size === 0 || !facts.finalBody) return undefined;
    const outcome = readOutcome(facts.finalBody, facts.finalComplete ?? false);
    if (outcome.state !== 'FAILED') return undefined;
    const a = this.accepted.takeFailed(queryId, outcome.errorName, (x, failedOn) =>
      this.admission.hasCandidate(x.s.decision.group, x.s.user, failedOn),
    );
    if (!a) return undefined;
    cx.tracker.finished(queryId, {
      ...outcome,
      errorMessage: `${outcome.errorMessage ?? outcome.errorName} (backend ${a.backend}); sent to another backend`,
    });
    return a;
  }

  private sendAgain(cx: ProxyContext, req: IncomingMessage, res: ServerResponse, a: Accepted): void {
    cx.metrics.queueFailovers.inc({ group: a.s.decision.group });
    this.logger.debug({ reqId: requestIdOf(res), from: a.backend }, 'query sent to another backend');
    req.method = 'POST';
    req.headers = { ...a.headers };
    this.resubmit(cx, req, res, a).catch((e: unknown) => answerError(cx, res, e));
  }

  private async resubmit(cx: ProxyContext, req: IncomingMessage, res: ServerResponse, a: Accepted) {
    const { s, headers } = a;
    const refused = new Set([a.backend, ...(s.failedOn ?? [])]);
    const lease = await this.admission.take(s.decision.group, s.user, refused);
    if (lease && (await this.run(cx, req, res, s, lease, refused))) return;
    const priority = s.decision.queuePriority ?? 0;
    const held = this.admission.hold(s.decision.group, s.user, priority, { s, headers }, Date.now(), refused);
    if (held.kind === 'full')
      return sendQueryPage(res, failedPage(this.facts(), this.urls, Date.now(), held.failure));
    if (held.kind === 'queued') sendQueryPage(res, queuedPage(held.held, this.urls, Date.now()));
  }

  /** submit admits a new query of a queued group: it runs now on a free slot, is held, or is refused. */
  async submit(s: QueuedSubmission): Promise<void> {
    const { cx, req, res } = s;
    const headers: IncomingHttpHeaders = {};
    for (const k in req.headers) if (!NOT_KEPT.includes(k)) headers[k] = req.headers[k];
    const priority = s.decision.queuePriority ?? 0;
    const a = await this.admission.admit(s.decision.group, s.user, priority, { s, headers });
    if (a.kind === 'full')
      return sendQueryPage(res, failedPage(this.facts(), this.urls, Date.now(), a.failure));
    if (a.kind === 'queued') return sendQueryPage(res, queuedPage(a.held, this.urls, Date.now()));
    const refused = new Set<string>();
    if (await this.run(cx, req, res, s, a.lease, refused)) return;
    // Every backend with a free slot refused it: it never started, so it waits like any held query.
    const again = this.admission.hold(
      s.decision.group,
      s.user,
      priority,
      { s, headers },
      Date.now(),
      refused,
    );
    if (again.kind === 'full')
      return sendQueryPage(res, failedPage(this.facts(), this.urls, Date.now(), again.failure));
    if (again.kind === 'queued') sendQueryPage(res, queuedPage(again.held, this.urls, Date.now()));
  }

  /**
   * run sends a submission on the slot it holds; when that backend refuses (the query never started) the
   * slot goes back and another backend with a free slot is tried. False when no backend took it (the
   * client was answered nothing).
   */
  private async run(
    cx: ProxyContext,
    req: IncomingMessage,
    res: ServerResponse,
    s: QueuedSubmission,
    first: Lease,
    refused: Set<string> = new Set(),
  ): Promise<boolean> {
    let lease: Lease | undefined = first;
    const headers = { ...req.headers };
    while (lease) {
      const b = cx.registry.get(lease.backend);
      const cur: Lease = lease;
      let out;
      let failedOver = false;
      if (b) {
        req.headers = { ...headers };
        const answered = untilAnswered(res);
        const bound: Submission = {
          ...s,
          req,
          res,
          onQueryId: (id: string) => {
            this.admission.bind(cur, id);
            this.accepted.remember(id, s, headers, cur.backend);
          },
          // The submission's own answer is a query its cluster failed at start: try another backend.
          onFailedAtStart: (id, facts) => {
            if (!this.endFailedAttempt(cx, id, facts)) return false;
            failedOver = true;
            answered.wake();
            return true;
          },
        };
        out = await attempt(bound, { decision: s.decision, backend: b, pinned: false }, true);
        // The slot is the query's once its id is bound; that happens while its first answer passes.
        if (out.ok) await answered.promise;
        answered.dispose();
      }
      if (!cur.queryId) this.admission.release(cur);
      if (b && out?.ok && !failedOver) return true;
      if (b && out && !out.ok && out.kind !== 'refused' && out.kind !== 'unavailable') {
        if (out.kind === 'client-gone') answerUpstreamFailure(cx, res, b, out.kind);
        else answerSubmissionLost(cx, res, b, out.kind);
        return true;
      }
      if (b && out && !out.ok && out.kind === 'refused') cx.onUpstreamFailure?.(b.name, 'refused');
      refused.add(cur.backend);
      lease = await this.admission.take(s.decision.group, s.user, refused);
      if (lease) {
        cx.metrics.queueFailovers.inc({ group: s.decision.group });
        this.logger.debug(
          { reqId: requestIdOf(res), from: cur.backend, to: lease.backend },
          'submission refused; trying another backend',
        );
      }
    }
    return false;
  }

  /** followUp serves GET and DELETE on a held query's nextUri (`path`: /v1/statement/queued/{id}/{slug}/{token}). */
  followUp(cx: ProxyContext, req: IncomingMessage, res: ServerResponse, queryId: string, path: string): void {
    const h = this.admission.get(queryId);
    const slug = path.split('/')[5];
    if (!h || slug !== h.slug) throw notFound(queryId);
    this.checkUser(req, h);
    h.lastPoll = Date.now();
    if (req.method === 'DELETE') {
      this.admission.cancel(queryId);
      res.writeHead(204).end();
      return;
    }
    this.poll(cx, req, res, h).catch((e: unknown) => answerError(cx, res, e));
  }

  private async poll(
    cx: ProxyContext,
    req: IncomingMessage,
    res: ServerResponse,
    h: HeldQuery<HeldSubmission>,
  ) {
    if (h.state === 'waiting') await h.until(this.longPollMs);
    if (res.destroyed) return;
    if (h.state === 'ready' && h.lease) {
      const lease = h.lease;
      h.lease = undefined;
      this.admission.started(h);
      req.method = 'POST';
      const { s, headers } = h.payload;
      req.headers = { ...headers };
      const waited = { ...s, queuedMs: Date.now() - h.enqueuedAt };
      if (await this.run(cx, req, res, waited, lease, h.refusedBy)) return;
      // Every backend refused it: it waits again, at the front of its user's line.
      this.admission.requeue(h);
    }
    if (h.state === 'failed' && h.failure)
      return sendQueryPage(res, failedPage(h, this.urls, Date.now(), h.failure));
    if (h.state === 'gone') return sendQueryPage(res, failedPage(h, this.urls, Date.now(), GONE));
    h.token++;
    sendQueryPage(res, queuedPage(h, this.urls, Date.now()));
  }

  /** byQueryId serves /v1/query/{id} of a held query: DELETE cancels it, GET tells its state. */
  byQueryId(req: IncomingMessage, res: ServerResponse, queryId: string): void {
    const h = this.admission.get(queryId);
    if (!h) throw notFound(queryId);
    this.checkUser(req, h);
    if (req.method === 'DELETE') {
      this.admission.cancel(queryId);
      res.writeHead(204).end();
      return;
    }
    const state = h.state === 'failed' ? 'FAILED' : h.state === 'gone' ? 'FAILED' : 'QUEUED';
    sendQueryPage(
      res,
      JSON.stringify({ queryId: h.id, state, self: `${this.urls.publicUrl}/v1/query/${h.id}` }),
    );
  }

  /** checkUser: only the user the query runs as (the principal decided it, as on any follow-up) acts on it. */
  private checkUser(req: IncomingMessage, h: HeldQuery<HeldSubmission>): void {
    const user = header(req.headers, 'user');
    if (user !== undefined && user !== h.user)
      throw new GatewayError(
        403,
        'PERMISSION_DENIED',
        `Access Denied: query ${h.id} belongs to another user`,
      );
  }

  private facts() {
    return { id: this.ids.next(), slug: '', token: 0, enqueuedAt: Date.now() };
  }
}

const GONE: HeldFailure = {
  errorName: 'USER_CANCELED',
  errorCode: 3,
  errorType: 'USER_ERROR',
  message: 'Query was canceled or abandoned while queued',
};
