import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import { answerUpstreamFailure } from './failure-answer.js';
import { finishOnLastPage } from './final-page.js';
import type {
  ForwardOptions,
  ForwardOutcome,
  ResponseBody,
  UpstreamFlow,
  UpstreamResponse,
} from './forward.js';
import type { ProxyContext } from './proxy-deps.js';
import { sendStatementResponse, type StatementResponseOptions } from './statement-response.js';
import type { StatementFacts } from './statement-scanner.js';
import { noteTransaction } from './transaction-headers.js';
import { toGatewayError, type UpstreamFailureKind } from './upstream-error.js';
import type { UrlRewriteContext } from './url-rewrite.js';

/**
 * StatementPoll is one poll of a statement (GET of its nextUri) on the backend that owns the query: the
 * hot path. It is the poll's state, its forward options and its statement-response hooks in one object,
 * so a poll allocates no closure per hook and no promise. It tells the tracker what the answer says about
 * the query: alive, finished (its last page), or maybe lost with its cluster.
 */
export class StatementPoll implements ForwardOptions, StatementResponseOptions {
  readonly ctx: UrlRewriteContext;
  readonly backendName: string;

  constructor(
    private readonly cx: ProxyContext,
    /** Kept for the queue's failover, which sends the statement again on this request (queue-gate.ts). */
    private readonly req: IncomingMessage,
    private readonly queryId: string,
    private readonly b: Backend,
    readonly path: string,
    readonly clientGzip: boolean,
    fwdOrigin: string,
  ) {
    this.ctx = cx.rewrites.of(b, fwdOrigin);
    this.backendName = b.name;
  }

  /** send forwards the poll; the answer, or the failure to get one, reaches the client through this object. */
  send(res: ServerResponse): void {
    this.cx.forwarder.send(this.req, res, this.b, this, (out) => this.settled(res, out));
  }

  onResponse(up: UpstreamResponse, res: ServerResponse, flow: UpstreamFlow): ResponseBody {
    return sendStatementResponse(up, res, flow, this);
  }

  beforeSend(facts: StatementFacts, up: UpstreamResponse): void {
    facts.queryId ??= this.queryId;
    noteTransaction(up.headers, this.b.name, this.cx.affinity);
  }

  /** A last page failing the query at start may be answered by the gateway's queue instead (failedAtStart). */
  intercept(facts: StatementFacts, up: UpstreamResponse, res: ServerResponse): boolean {
    const queue = this.cx.queue;
    return (
      queue !== undefined &&
      up.statusCode === 200 &&
      queue.failedAtStart(this.cx, this.req, res, this.queryId, facts)
    );
  }

  done(facts: StatementFacts | undefined, up: UpstreamResponse): void {
    const tracker = this.cx.tracker;
    if (up.statusCode === 200) {
      tracker.answered(this.queryId);
      if (this.cx.queue && this.path.startsWith('/v1/statement/executing/'))
        this.cx.queue.executing(this.queryId);
      finishOnLastPage(facts, tracker);
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
  private settled(res: ServerResponse, out: ForwardOutcome): void {
    if (out.ok) return;
    // A query still in its cluster's queue, whose cluster went away: the gateway's queue may send it elsewhere.
    if (
      (out.kind === 'refused' || out.kind === 'reset') &&
      !res.headersSent &&
      this.cx.queue?.failover(this.cx, this.req, res, this.queryId, this.path)
    ) {
      this.cx.onUpstreamFailure?.(this.b.name, out.kind);
      return;
    }
    answerUpstreamFailure(this.cx, res, this.b, out.kind);
    // A refused or reset poll: the cluster may have gone away. Unless a later poll is answered, the query
    // ends (its in-flight count must not keep the backend looking busy).
    if (out.kind === 'refused' || out.kind === 'reset') {
      const e = toGatewayError(out.kind, this.b.name);
      this.cx.tracker.lost(this.queryId, {
        state: 'FAILED',
        errorName: e.errorName,
        errorType: e.errorType,
        errorMessage: e.message,
      });
    }
  }
}
