import type { IncomingMessage, ServerResponse } from 'node:http';
import { noteQuery } from '../observability/request-id.js';
import type { GatewayError } from '../trino/errors.js';
import { answerSubmissionLost } from './failure-answer.js';
import { finishOnLastPage } from './final-page.js';
import { prepareHeaders } from './forward-headers.js';
import type {
  ForwardOptions,
  ForwardOutcome,
  ResponseBody,
  UpstreamFlow,
  UpstreamResponse,
} from './forward.js';
import type { Placement } from './placement.js';
import type { ProxyContext } from './proxy-deps.js';
import { sendStatementResponse, type StatementResponseOptions } from './statement-response.js';
import type { StatementFacts } from './statement-scanner.js';
import { noteTransaction } from './transaction-headers.js';
import type { UpstreamFailureKind } from './upstream-error.js';
import type { UrlRewriteContext } from './url-rewrite.js';

/** The query id near the start of a statement response, when the scanner did not see it in a URL. */
const QUERY_ID_IN_BODY = /"id"\s*:\s*"([a-z0-9_]+)"/;

/** One new query, as read from its request: what every attempt to place it sends and records. */
export interface Submission {
  readonly cx: ProxyContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly body: Buffer;
  readonly sql: string;
  /** The user the query runs as (the principal decided it). */
  readonly user: string;
  readonly source: string | undefined;
  readonly clientAddress: string;
  /** Read before the first attempt asked the backend for identity. */
  readonly clientGzip: boolean;
  /** Milliseconds it waited in the gateway's queue (history's queued time). */
  readonly queuedMs?: number;
  /** Told the cluster's query id before the client sees its first answer (the queue binds its slot). */
  readonly onQueryId?: (queryId: string) => void;
  /**
   * Offered the submission's answer when it is already the query's last page (after onQueryId): true when
   * the caller answers the client instead (the queue tries another backend for a query failed at start).
   */
  readonly onFailedAtStart?: (queryId: string, facts: StatementFacts) => boolean;
}

/**
 * attempt sends the submission to the placement's backend. With `retryable`, a 503 from the backend comes
 * back as 'unavailable' instead of reaching the client (the caller may try another backend). The backend
 * counts the submission as load from now until its answer's head arrives, so a burst of submissions
 * spreads out instead of all landing where the load looked lowest a moment ago.
 */
export function attempt(s: Submission, p: Placement, retryable: boolean): Promise<ForwardOutcome> {
  const b = p.backend;
  const a = new SubmissionAttempt(s, p, retryable);
  b.submitting++;
  return s.cx.forwarder.forward(s.req, s.res, b, a).finally(() => b.submitting--);
}

/**
 * SubmissionAttempt is one attempt's forward options and statement-response hooks. The answer that
 * reveals the query id is where the query starts: its affinity is recorded and the tracker takes it on
 * before the client sees the answer.
 */
class SubmissionAttempt implements ForwardOptions, StatementResponseOptions {
  readonly path = '/v1/statement';
  readonly body: Buffer;
  readonly refuse503: boolean;
  readonly ctx: UrlRewriteContext;
  readonly clientGzip: boolean;
  readonly backendName: string;

  constructor(
    private readonly s: Submission,
    private readonly p: Placement,
    retryable: boolean,
  ) {
    this.body = s.body;
    this.refuse503 = retryable;
    this.clientGzip = s.clientGzip;
    this.backendName = p.backend.name;
    this.ctx = s.cx.rewrites.of(p.backend, prepareHeaders(s.req, p.backend, s.cx.tls, true, s.cx.prefix));
  }

  onResponse(up: UpstreamResponse, res: ServerResponse, flow: UpstreamFlow): ResponseBody {
    return sendStatementResponse(up, res, flow, this);
  }

  failQuery(err: GatewayError): void {
    this.s.cx.failed.answerFirst(this.s.res, err);
  }

  onLateFailure(kind: UpstreamFailureKind, res: ServerResponse): void {
    answerSubmissionLost(this.s.cx, res, this.p.backend, kind);
  }

  beforeSend(facts: StatementFacts, up: UpstreamResponse): void {
    const { s, p } = this;
    const cx = s.cx;
    const queryId = facts.queryId ?? QUERY_ID_IN_BODY.exec(facts.head ?? '')?.[1];
    noteTransaction(up.headers, p.backend.name, cx.affinity);
    if (!queryId || up.statusCode >= 300) return;
    facts.queryId = queryId;
    noteQuery(s.res, queryId, p.backend.name);
    cx.affinity.rememberQuery(queryId, p.backend.name, s.user);
    cx.tracker.started({
      queryId,
      backend: p.backend.name,
      group: p.decision.group,
      user: s.user,
      source: s.source,
      clientAddress: s.clientAddress,
      rule: p.decision.rule,
      policy: p.policy,
      sql: s.sql,
      queuedMs: s.queuedMs,
    });
    s.onQueryId?.(queryId);
  }

  intercept(facts: StatementFacts, up: UpstreamResponse): boolean {
    const f = this.s.onFailedAtStart;
    return f !== undefined && up.statusCode === 200 && facts.queryId !== undefined && f(facts.queryId, facts);
  }

  done(facts: StatementFacts | undefined): void {
    finishOnLastPage(facts, this.s.cx.tracker);
  }
}
