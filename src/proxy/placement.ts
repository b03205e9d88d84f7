import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal.js';
import type { Backend } from '../backends/backend.js';
import type { QueueGate } from '../queue/queue-gate.js';
import { mayUse } from '../routing/group-choice.js';
import { GatewayError } from '../trino/errors.js';
import { header } from '../trino/headers.js';
import { killQueryTarget } from '../trino/kill-query.js';
import { QueryFailure } from './failed-queries.js';
import { ownerBackend } from './follow-up-owner.js';
import { noBackend } from './no-backend.js';
import type { ProxyContext } from './proxy-deps.js';
import type { RoutingDecision } from './seams.js';

/** Where a new query goes, and why (the decision goes to history and the finished-query log line). */
export interface Placement {
  decision: RoutingDecision;
  backend: Backend;
  /** The selection policy that picked the backend; none for a pinned placement. */
  policy?: string;
  /** A transaction's statements and a kill_query belong to one cluster: never retried elsewhere. */
  pinned: boolean;
}

/** A new query of a group with a queue (groups[].queue): the gateway's queue chooses its backend, or holds it. */
export interface Queued {
  decision: RoutingDecision;
  queue: QueueGate;
}

/**
 * placeQuery is the one place a backend is chosen for a new query: the cluster of its transaction, the
 * cluster of the query a kill_query names, or the routing group's choice (header, rules, defaults) and
 * its selector's pick from the available pool. It throws the Trino-shaped refusal (403 for a group the
 * principal may not use, 404 for an unknown group, 503 for an empty pool; a QueryFailure for an
 * unknown transaction). In a group the gateway's queue governs, the queue chooses instead (Queued).
 */
export function placeQuery(
  cx: ProxyContext,
  req: IncomingMessage,
  principal: Principal,
  user: string,
  sql: string,
): Placement | Queued {
  const txn = header(req.headers, 'transactionId');
  if (txn && txn.toUpperCase() !== 'NONE') return inTransaction(cx, txn, principal);
  const killed = killTargetOwner(cx, sql, principal);
  // kill_query must run where the query runs (another cluster answers "Target query not found"); an id
  // the gateway does not know is routed like any statement, and a cluster answers as Trino would.
  if (killed)
    return { decision: { group: killed.group, source: 'kill_query' }, backend: killed, pinned: true };
  const d = cx.router.route({ headers: req.headers, principal, sql });
  if (d instanceof GatewayError) {
    cx.metrics.routingFailures.inc({ reason: d.status === 403 ? 'forbidden_group' : 'no_group' });
    throw d;
  }
  if (cx.queue?.governs(d.group)) return { decision: d, queue: cx.queue };
  const pick = cx.picker.pick(d.group, { user });
  if (!pick) {
    cx.metrics.routingFailures.inc({ reason: 'no_backend' });
    throw noBackend(d.group, d);
  }
  return { decision: d, backend: pick.backend, policy: pick.policy, pinned: false };
}

/**
 * placeElsewhere is another backend of the same group for a submission the first one refused (the query
 * never started there, so sending it again is safe), or undefined when the placement is pinned or the
 * pool has no other backend.
 */
export function placeElsewhere(cx: ProxyContext, p: Placement, user: string): Placement | undefined {
  if (p.pinned) return undefined;
  const second = cx.picker.pick(p.decision.group, { user }, p.backend);
  return second && { decision: p.decision, backend: second.backend, policy: second.policy, pinned: false };
}

/**
 * recallOwners reads into memory what placeQuery will ask affinity and memory does not know: the owner of
 * the request's transaction and of the query a kill_query names (after a restart, or when another replica
 * served them). In steady state it reads nothing.
 */
export async function recallOwners(cx: ProxyContext, req: IncomingMessage, sql: string): Promise<void> {
  const txn = header(req.headers, 'transactionId');
  if (txn && txn.toUpperCase() !== 'NONE') await cx.affinity.recallTransaction(txn);
  const id = killQueryId(sql);
  if (id && cx.affinity.queryOwner(id) === undefined) await cx.affinity.recall(id);
}

function killQueryId(sql: string): string | undefined {
  return sql.length < 4096 && /kill_query/i.test(sql) ? killQueryTarget(sql) : undefined;
}

/** inTransaction places a statement of a transaction on the backend that started it. */
function inTransaction(cx: ProxyContext, txn: string, principal: Principal): Placement {
  const owner = cx.affinity.transactionOwner(txn);
  // Trino fails such a query (HTTP 200, UNKNOWN_TRANSACTION in its results): so does the gateway.
  if (!owner)
    throw new QueryFailure(
      200,
      'UNKNOWN_TRANSACTION',
      `Unknown transaction ID: ${txn.slice(0, 64)}. Possibly expired? Commands ignored until end of transaction block`,
      'USER_ERROR',
    );
  const backend = ownerBackend(cx.registry, owner);
  // A transaction id is no pass into a group the principal may not use.
  if (!mayUse(principal, backend.group))
    throw new GatewayError(
      403,
      'PERMISSION_DENIED',
      `user '${principal.name}' may not use routing group '${backend.group}' of transaction ${txn.slice(0, 64)}`,
    );
  return { decision: { group: backend.group, source: 'transaction' }, backend, pinned: true };
}

/** killTargetOwner is the backend that owns the query a kill_query call names, when the gateway knows it. */
function killTargetOwner(cx: ProxyContext, sql: string, principal: Principal): Backend | undefined {
  const id = killQueryId(sql);
  const owner = id ? cx.affinity.queryOwner(id) : undefined;
  const b = owner ? cx.registry.get(owner) : undefined;
  if (b && !mayUse(principal, b.group))
    throw new GatewayError(
      403,
      'PERMISSION_DENIED',
      `user '${principal.name}' may not use routing group '${b.group}' of query ${id}`,
    );
  return b;
}
