import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { GatewayError, writeQueryPage, type ErrorType } from '../trino/errors.js';
import type { HandleCodec } from './handle-codec.js';

/** Query ids the gateway issues for queries it failed itself; Trino's ids never start so (yyyymmdd_…). */
const PREFIX = 'gateway_failed_';

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

/** The mac's purpose for a failed query's poll URL (see HandleCodec.seal). */
const PURPOSE = 'failed-query';
/** A message kept in the poll URL is cut to this many characters (the URL stays short for every client). */
const MAX_MESSAGE = 1000;

/**
 * FailedQueries answers a statement the gateway fails itself as Trino would: a first page (QUEUED, with a
 * nextUri back to the gateway) and, on its poll, the FAILED page with the error. Every client shows that
 * error: trino-js reads nothing of a first page but its nextUri, and a status would make
 * trino-python-client POST a statement that may run again. Nothing is kept: the error rides, signed with
 * the handles' secret, in the nextUri's slug, so any worker or replica, also after a restart, answers the
 * poll; a forged or altered slug is 404 QUERY_NOT_FOUND.
 */
export class FailedQueries {
  constructor(
    private readonly publicUrl: string,
    private readonly codec: HandleCodec,
  ) {}

  static owns(queryId: string): boolean {
    return queryId.startsWith(PREFIX);
  }

  /** answerFirst answers the statement's submission with its first page, the error sealed in its nextUri. */
  answerFirst(res: ServerResponse, error: GatewayError): void {
    const queryId = `${PREFIX}${randomBytes(8).toString('hex')}`;
    const kept = { n: error.errorName, t: error.errorType, m: error.message.slice(0, MAX_MESSAGE) };
    const slug = this.codec.seal(PURPOSE, `${queryId}\n${JSON.stringify(kept)}`);
    const nextUri = `${this.publicUrl}/v1/statement/queued/${queryId}/${slug}/1`;
    writeQueryPage(res, { queryId, publicUrl: this.publicUrl, error, nextUri });
  }

  /**
   * answerPoll answers the poll (GET) of a failed query with its last page, or a cancel (DELETE) with 204;
   * `slug` is the one its nextUri carries.
   */
  answerPoll(res: ServerResponse, method: string | undefined, queryId: string, slug: string): void {
    const error = this.opened(queryId, slug);
    if (!error)
      throw new GatewayError(404, 'QUERY_NOT_FOUND', `query ${queryId} is not known to this gateway`);
    if (method === 'DELETE') {
      res.writeHead(204).end();
      return;
    }
    writeQueryPage(res, { queryId, publicUrl: this.publicUrl, error });
  }

  private opened(queryId: string, slug: string): GatewayError | undefined {
    const data = this.codec.open(PURPOSE, slug);
    const nl = data?.indexOf('\n') ?? -1;
    if (!data || data.slice(0, nl) !== queryId) return undefined;
    try {
      const k = JSON.parse(data.slice(nl + 1)) as { n: string; t: ErrorType; m: string };
      return new GatewayError(200, k.n, k.m, k.t);
    } catch {
      return undefined; // signed by this gateway, so never expected: still no 500
    }
  }
}
