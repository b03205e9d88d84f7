import type { ErrorType } from '../trino/errors.js';
import { emptyQueryStats } from '../trino/query-page.js';

/** Where a held query's pages point: the gateway's own queued URL, signed like a backend handle. */
export interface PageUrls {
  publicUrl: string;
  /** The signed handle that marks the URL as the gateway queue's (HandleCodec.encode of QUEUE_OWNER). */
  handle: string;
}

/** The facts of a held query that its pages show. */
export interface HeldFacts {
  id: string;
  slug: string;
  token: number;
  enqueuedAt: number;
}

/**
 * queuedPage is the QueryResults a held query's client receives, shaped as Trino's QueuedStatementResource
 * answers while a query waits in a resource group: state QUEUED, queued true, a nextUri back to the gateway
 * (`/v1/statement/queued/{id}/{slug}~{handle}/{token}`), and the queued time growing on every page.
 */
export function queuedPage(q: HeldFacts, urls: PageUrls, now: number): string {
  const waited = Math.max(0, now - q.enqueuedAt);
  return JSON.stringify({
    id: q.id,
    infoUri: `${urls.publicUrl}/ui/query.html?${q.id}`,
    nextUri: `${urls.publicUrl}/v1/statement/queued/${q.id}/${q.slug}~${urls.handle}/${q.token}`,
    stats: emptyQueryStats('QUEUED', waited),
    warnings: [],
  });
}

/** failedPage is a held query's last page when the queue fails it (full, waited too long): state FAILED, no nextUri. */
export function failedPage(
  q: HeldFacts,
  urls: PageUrls,
  now: number,
  err: { message: string; errorCode: number; errorName: string; errorType: ErrorType },
): string {
  const waited = Math.max(0, now - q.enqueuedAt);
  return JSON.stringify({
    id: q.id,
    infoUri: `${urls.publicUrl}/ui/query.html?${q.id}`,
    stats: emptyQueryStats('FAILED', waited),
    error: {
      ...err,
      failureInfo: { type: 'io.trino.gateway.QueueError', message: err.message, suppressed: [], stack: [] },
    },
    warnings: [],
  });
}
