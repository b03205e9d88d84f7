import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { GatewayError, writeQueryPage } from '../trino/errors.js';

/** Query ids the gateway issues for queries it failed itself; Trino's ids never start so (yyyymmdd_…). */
const PREFIX = 'gateway_failed_';
/** How long a failed query's last page waits for its client's poll (Trino's clients poll at once). */
const KEEP_MS = 60_000;
const MAX = 10_000;

/**
 * QueryFailure is a statement the gateway fails the way Trino fails one: HTTP 200, the error in the
 * results. Thrown where a status would be wrong (an unknown transaction, as Trino answers it).
 */
export class QueryFailure extends GatewayError {}

/**
 * Statuses of a submission refused before any cluster ran it (a user over budget 429; a cluster refusing
 * it, or a proxy in front of one failing, 502/504; no backend 503), answered as a failed query (HTTP 200,
 * QUEUED then FAILED with the error), as Trino answers QUERY_QUEUE_FULL or NO_NODES_AVAILABLE: then every
 * client shows the message. As a status, StatementClientV1 shows it only inside "returned an invalid
 * response … [Error: …]" (it never retries a POST); trino-python-client POSTs twice more within a second on
 * 502/503/504 and then shows only "error 503: service unavailable" (it honours no Retry-After, and shows a
 * 429 as "error 429: b'…'"); trino-js an axios error. No client waits for a Retry-After on a submission.
 */
const REFUSALS = new Set([429, 502, 503, 504]);

/** isRefusal tells whether an error refusing a submission is answered as a failed query. */
export function isRefusal(e: unknown): e is GatewayError {
  return e instanceof GatewayError && !(e instanceof QueryFailure) && REFUSALS.has(e.status);
}

/**
 * FailedQueries answers a statement the gateway fails itself as Trino would: a first page (QUEUED, with a
 * nextUri back to the gateway) and, on its poll, the FAILED page with the error. Every client shows that
 * error: trino-js reads nothing of a first page but its nextUri, and a status would make
 * trino-python-client POST a statement that may run again. Bounded and short-lived, in memory: another
 * replica (or a poll after a minute) answers the poll 404 QUERY_NOT_FOUND, still an error a client shows.
 * The random id is the poll's secret, as Trino's slug is.
 */
export class FailedQueries {
  private readonly byId = new Map<string, { error: GatewayError; at: number }>();

  constructor(private readonly publicUrl: string) {}

  static owns(queryId: string): boolean {
    return queryId.startsWith(PREFIX);
  }

  /** answerFirst answers the statement's submission with its first page and keeps the error for the poll. */
  answerFirst(res: ServerResponse, error: GatewayError, now = Date.now()): void {
    this.expire(now);
    const queryId = `${PREFIX}${randomBytes(8).toString('hex')}`;
    this.byId.set(queryId, { error, at: now });
    const nextUri = `${this.publicUrl}/v1/statement/queued/${queryId}/failed/1`;
    writeQueryPage(res, { queryId, publicUrl: this.publicUrl, error, nextUri });
  }

  /** answerPoll answers the poll (GET) of a failed query with its last page, or a cancel (DELETE) with 204. */
  answerPoll(res: ServerResponse, method: string | undefined, queryId: string): void {
    const kept = this.byId.get(queryId);
    if (!kept)
      throw new GatewayError(404, 'QUERY_NOT_FOUND', `query ${queryId} is not known to this gateway`);
    this.byId.delete(queryId);
    if (method === 'DELETE') {
      res.writeHead(204).end();
      return;
    }
    writeQueryPage(res, { queryId, publicUrl: this.publicUrl, error: kept.error });
  }

  private expire(now: number): void {
    for (const [id, { at }] of this.byId) {
      if (now - at < KEEP_MS && this.byId.size < MAX) break;
      this.byId.delete(id);
    }
  }
}
