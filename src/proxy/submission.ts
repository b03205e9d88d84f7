import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { clientAddress } from '../observability/client-address.js';
import { requestIdOf } from '../observability/request-id.js';
import { GatewayError } from '../trino/errors.js';
import { header } from '../trino/headers.js';
import { answerSubmissionLost, answerUpstreamFailure, upstreamRefusal } from './failure-answer.js';
import { isRefusal } from './failed-queries.js';
import type { ForwardOutcome } from './forward.js';
import { acceptsGzip } from './forward-headers.js';
import { applyPrincipal } from './identity.js';
import { noBackend } from './no-backend.js';
import { placeElsewhere, placeQuery, recallOwners, type Placement } from './placement.js';
import type { ProxyContext } from './proxy-deps.js';
import { readBody } from './request-body.js';
import { attempt, type Submission } from './submission-attempt.js';

/**
 * submit serves a new query (POST /v1/statement): the principal decides the user, the statement is read
 * (bounded) and checked, the user's budgets admit it, placeQuery chooses its backend, and the statement
 * goes there, once more elsewhere if the first backend refused it. The answer that names the query id
 * starts it (submission-attempt.ts); the tracker observes its end (query-tracker.ts). A query of a group
 * with a queue goes to the gateway's queue instead (src/queue/queue-gate.ts), which places it on a free slot.
 */
export async function submit(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
): Promise<void> {
  try {
    await place(cx, req, res, principal);
  } catch (e) {
    // A refusal before any cluster ran the statement is answered as Trino fails a query it cannot start.
    if (isRefusal(e)) return cx.failed.answerFirst(res, e);
    throw e;
  }
}

async function place(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
): Promise<void> {
  const user = applyPrincipal(req, principal, cx.resolveUser);
  const body = await readBody(req, cx.maxStatementBytes);
  const sql = body.toString('utf8');
  // As Trino's QueuedStatementResource does, but in Trino's error JSON and before any routing.
  if (!sql.trim()) throw new GatewayError(400, 'BAD_REQUEST', 'SQL statement is empty');
  // Per-user budgets (live and never-polled queries), checked before routing or any cluster.
  const overBudget = cx.tracker.admit(user);
  if (overBudget) throw overBudget;
  await recallOwners(cx, req, sql);
  const placement = placeQuery(cx, req, principal, user, sql);
  const s: Submission = {
    cx,
    req,
    res,
    body,
    sql,
    user,
    source: header(req.headers, 'source'),
    clientAddress: clientAddress(req),
    clientGzip: acceptsGzip(req),
  };
  // The gateway's own queue (src/queue) runs it now on a free slot, holds it, or refuses it.
  if ('queue' in placement) return placement.queue.submit({ ...s, decision: placement.decision });
  const { out, at } = await sendWithRetry(s, placement);
  if (out.ok) return;
  // Refused (or the client left): the statement never ran. Otherwise it may run.
  if (out.kind === 'client-gone') answerUpstreamFailure(cx, res, at.backend, out.kind);
  else if (out.kind === 'unavailable') throw noBackend(at.decision.group, at.decision, at.backend.name);
  else if (out.kind === 'refused') throw upstreamRefusal(cx, at.backend, out.kind);
  else answerSubmissionLost(cx, res, at.backend, out.kind);
}

/**
 * sendWithRetry sends the submission to its placement; one the backend refused (connection refused, or
 * its 503) is sent once more to another backend of the pool: the query never started, so this is safe.
 * Resolves with the last outcome and where it was; throws the no-backend 503 when a refusing backend's
 * 503 has no other backend to go to.
 */
async function sendWithRetry(
  s: Submission,
  first: Placement,
): Promise<{ out: ForwardOutcome; at: Placement }> {
  const { cx } = s;
  // A backend's 503 always comes back as 'unavailable': the refusal is answered as a failed query.
  const out = await attempt(s, first, true);
  if (out.ok || (out.kind !== 'refused' && out.kind !== 'unavailable')) return { out, at: first };
  if (out.kind === 'refused') cx.onUpstreamFailure?.(first.backend.name, 'refused');
  const second = placeElsewhere(cx, first, s.user);
  if (!second) {
    if (out.kind === 'unavailable') throw noBackend(first.decision.group, first.decision, first.backend.name);
    return { out, at: first };
  }
  cx.metrics.submissionRetries.inc({ group: first.decision.group });
  cx.logger.debug(
    { reqId: requestIdOf(s.res), from: first.backend.name, to: second.backend.name },
    'submission refused; retrying once',
  );
  return { out: await attempt(s, second, true), at: second };
}
