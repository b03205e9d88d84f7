import type { IncomingMessage, ServerResponse } from 'node:http';
import { noteQuery } from '../observability/request-id.js';
import { QUEUE_OWNER } from '../queue/queue-gate.js';
import type { RequestKind } from '../trino/paths.js';
import { FailedQueries } from './failed-queries.js';
import { notFound, ownerBackend, queryBackend } from './follow-up-owner.js';
import { acceptsGzip, prepareHeaders } from './forward-headers.js';
import type { ProxyContext } from './proxy-deps.js';
import { relay, relayAny } from './relay.js';
import { StatementPoll } from './statement-poll.js';

/** The requests that act on something the gateway already placed (or, for info, on any cluster). */
export type FollowUp = Extract<RequestKind, { kind: 'statement' | 'query' | 'info' }>;

/**
 * forwardFollowUp finds the owner of an authenticated follow-up and sends the request there. A poll stays
 * synchronous (it returns nothing); the other kinds return the promise of their relay. A follow-up the
 * gateway cannot place is refused with a 404 (thrown), never sent to a guessed cluster.
 */
export function forwardFollowUp(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  kind: FollowUp,
  search: string,
): Promise<void> | void {
  switch (kind.kind) {
    case 'statement':
      return statement(cx, req, res, kind, search);
    case 'query':
      return byQueryId(cx, req, res, kind.queryId);
    case 'info':
      return relayAny(cx, req, res);
  }
}

/**
 * statement sends a poll or cancel of a statement to the backend that owns the query: the one the signed
 * handle in its URL names, else the one affinity remembers. A query the gateway failed itself is answered here;
 * one the gateway's queue holds (its handle names QUEUE_OWNER) is answered by the queue.
 */
function statement(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  k: Extract<FollowUp, { kind: 'statement' }> & { recalled?: boolean },
  search: string,
): Promise<void> | void {
  if (FailedQueries.owns(k.queryId))
    return cx.failed.answerPoll(res, req.method, k.queryId, k.path.split('/')[5] ?? '');
  const owner = k.handle !== undefined ? cx.codec.decode(k.handle) : cx.affinity.queryOwner(k.queryId);
  // A URL without a handle, of a query memory does not know: its owner is read from the store once.
  if (!owner && k.handle === undefined && !k.recalled)
    return cx.affinity
      .recall(k.queryId)
      .then(() => statement(cx, req, res, { ...k, recalled: true }, search));
  if (!owner) throw notFound(k.queryId);
  const path = k.path + search;
  if (owner === QUEUE_OWNER && cx.queue) return cx.queue.followUp(cx, req, res, k.queryId, path);
  const b = ownerBackend(cx.registry, owner, k.queryId);
  cx.tracker.seen(k.queryId);
  if (cx.debug) noteQuery(res, k.queryId, b.name);
  if (req.method === 'DELETE') return cancel(cx, req, res, b, path, k.queryId);
  // Read before prepareHeaders asks the backend for identity (its URLs are rewritten on the way).
  const clientGzip = acceptsGzip(req);
  const fwdOrigin = prepareHeaders(req, b, cx.tls, true, cx.prefix);
  new StatementPoll(cx, req, k.queryId, b, path, clientGzip, fwdOrigin).send(res);
}

async function cancel(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  b: ReturnType<typeof ownerBackend>,
  path: string,
  queryId: string,
): Promise<void> {
  if (await relay(cx, req, res, b, path, true)) cx.tracker.canceled(queryId);
}

/** byQueryId serves /v1/query/{id} (trino-client cancels with DELETE here) on the owner, or in the queue. */
async function byQueryId(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  queryId: string,
): Promise<void> {
  if (cx.queue?.holds(queryId)) return cx.queue.byQueryId(req, res, queryId);
  if (cx.affinity.queryOwner(queryId) === undefined) await cx.affinity.recall(queryId);
  const ok = await relay(cx, req, res, queryBackend(cx.registry, cx.affinity, queryId), req.url ?? '', true);
  if (ok && req.method === 'DELETE') cx.tracker.canceled(queryId);
}
