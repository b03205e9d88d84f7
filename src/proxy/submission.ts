import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { clientAddress } from '../observability/client-address.js';
import { mayUse } from '../routing/group-choice.js';
import type { Backend } from '../backends/backend.js';
import { GatewayError } from '../trino/errors.js';
import { header } from '../trino/headers.js';
import { killQueryTarget } from '../trino/kill-query.js';
import type { ForwardOptions, ForwardOutcome } from './forward.js';
import { acceptsGzip, prepareHeaders } from './forward-headers.js';
import { applyPrincipal } from './identity.js';
import type { ProxyKit } from './proxy-kit.js';
import { readBody } from './request-body.js';
import type { RoutingDecision } from './seams.js';
import { sendStatementResponse } from './statement-response.js';
import { noteQuery, requestIdOf } from '../observability/request-id.js';

/** The query id near the start of a statement response, when the scanner did not see it in a URL. */
const QUERY_ID_IN_BODY = /"id"\s*:\s*"([a-z0-9_]+)"/;

/** killTargetOwner is the backend that owns the query a kill_query call names, when the gateway knows it. */
function killTargetOwner(kit: ProxyKit, sql: string, principal: Principal): Backend | undefined {
  const id = sql.length < 4096 && /kill_query/i.test(sql) ? killQueryTarget(sql) : undefined;
  const owner = id ? kit.d.affinity.queryOwner(id) : undefined;
  const b = owner ? kit.d.registry.get(owner) : undefined;
  if (b && !mayUse(principal, b.group))
    throw new GatewayError(
      403,
      'PERMISSION_DENIED',
      `user '${principal.name}' may not use routing group '${b.group}' of query ${id}`,
    );
  return b;
}

/** submit routes a new query: group, backend, one retry on refusal, then the statement response. */
export async function submit(
  kit: ProxyKit,
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
): Promise<void> {
  const deps = kit.d;
  const user = applyPrincipal(req, principal, deps.resolveUser);
  const body = await readBody(req, deps.maxStatementBytes);
  const sql = body.toString('utf8');
  // As Trino's QueuedStatementResource does, but in Trino's error JSON and before any routing.
  if (!sql.trim()) throw new GatewayError(400, 'BAD_REQUEST', 'SQL statement is empty');
  // Per-user budgets (live and never-polled queries), checked before routing or any cluster.
  const overBudget = deps.tracker.admit(user);
  if (overBudget) throw overBudget;

  const txn = header(req.headers, 'transactionId');
  let decision: RoutingDecision;
  let backend: Backend | undefined;
  let policy: string | undefined;
  if (txn && txn.toUpperCase() !== 'NONE') {
    const owner = deps.affinity.transactionOwner(txn);
    if (!owner)
      throw new GatewayError(
        404,
        'UNKNOWN_TRANSACTION',
        `transaction ${txn.slice(0, 64)} is not known to this gateway`,
      );
    backend = kit.backendNamed(owner);
    // A transaction id is no pass into a group the principal may not use.
    if (!mayUse(principal, backend.group))
      throw new GatewayError(
        403,
        'PERMISSION_DENIED',
        `user '${principal.name}' may not use routing group '${backend.group}' of transaction ${txn.slice(0, 64)}`,
      );
    decision = { group: backend.group, source: 'transaction' };
  } else if ((backend = killTargetOwner(kit, sql, principal))) {
    // kill_query must run where the query runs (another cluster answers "Target query not found"); an id
    // the gateway does not know is routed like any statement, and a cluster answers as Trino would.
    decision = { group: backend.group, source: 'kill_query' };
  } else {
    const d = deps.router.route({ headers: req.headers, principal, sql });
    if (d instanceof GatewayError) {
      deps.metrics.routingFailures.inc({ reason: d.status === 403 ? 'forbidden_group' : 'no_group' });
      throw d;
    }
    decision = d;
    // The gateway's own queue (src/queue) chooses the backend in a group that has one, or holds the query.
    if (deps.queue?.governs(d.group))
      return deps.queue.submit(kit, req, res, submissionOf(req, body, sql, user, d));
    const pick = deps.picker.pick(d.group, { user });
    if (!pick) {
      deps.metrics.routingFailures.inc({ reason: 'no_backend' });
      throw new GatewayError(
        503,
        'NO_NODES_AVAILABLE',
        `no available backend in routing group "${d.group}" (${chosenBy(d)})`,
        'INSUFFICIENT_RESOURCES',
      );
    }
    backend = pick.backend;
    policy = pick.policy;
  }

  const s = submissionOf(req, body, sql, user, decision, policy);
  const attempt = (b: Backend, retryable: boolean) => sendSubmission(kit, req, res, b, s, retryable);

  // A transaction's statements and a kill_query belong to one cluster: never retried elsewhere.
  const pinned = decision.source === 'transaction' || decision.source === 'kill_query';
  let out = await attempt(backend, !pinned);
  if (!out.ok && (out.kind === 'refused' || out.kind === 'unavailable')) {
    if (out.kind === 'refused') deps.onUpstreamFailure?.(backend.name, 'refused');
    const second = pinned ? undefined : deps.picker.pick(decision.group, { user }, backend);
    if (second) {
      deps.metrics.submissionRetries.inc({ group: decision.group });
      deps.logger.debug(
        { reqId: requestIdOf(res), from: backend.name, to: second.backend.name },
        'submission refused; retrying once',
      );
      backend = second.backend;
      policy = second.policy;
      out = await attempt(backend, false);
    } else if (out.kind === 'unavailable') {
      throw new GatewayError(
        503,
        'NO_NODES_AVAILABLE',
        `backend ${backend.name} is unavailable and no other backend of "${decision.group}" is (${chosenBy(decision)})`,
        'INSUFFICIENT_RESOURCES',
      );
    }
  }
  if (!out.ok && out.kind !== 'refused' && out.kind !== 'unavailable' && out.kind !== 'client-gone')
    kit.submissionLost(res, backend, out.kind);
  else if (!out.ok) kit.upstreamFailed(res, backend, out.kind);
}

/** What a submission needs to be sent to a cluster, now or later (a query the queue held). */
export interface Submission {
  body: Buffer;
  sql: string;
  user: string;
  decision: RoutingDecision;
  policy?: string;
  source?: string;
  remote?: string;
  clientGzip: boolean;
  /** Milliseconds it waited in the gateway's queue (history's queued time). */
  queuedMs?: number;
  /** Told the cluster's query id before the client sees its first answer (the queue binds its slot). */
  onQueryId?: (queryId: string) => void;
}

/**
 * sendSubmission sends a statement to backend b and answers the client with the cluster's first page,
 * recording the query (affinity, tracker) before the client sees it. `retryable`: a 503 or a refusal is
 * reported, not answered, so the caller may try another backend (the query never started).
 */
export function sendSubmission(
  kit: ProxyKit,
  req: IncomingMessage,
  res: ServerResponse,
  b: Backend,
  s: Submission,
  retryable: boolean,
): Promise<ForwardOutcome> {
  const deps = kit.d;
  const { decision, user } = s;
  const fwdOrigin = prepareHeaders(req, b, deps.tls, true, kit.prefix);
  const opts: ForwardOptions = {
    body: s.body,
    path: '/v1/statement',
    refuse503: retryable,
    onLateFailure: (kind, res) => kit.submissionLost(res, b, kind),
    onResponse: (up, res, flow) =>
      sendStatementResponse(up, res, flow, {
        ctx: kit.rewriteContext(b, fwdOrigin),
        clientGzip: s.clientGzip,
        backendName: b.name,
        beforeSend: (facts) => {
          const queryId = facts.queryId ?? QUERY_ID_IN_BODY.exec(facts.head ?? '')?.[1];
          kit.noteTransaction(up.headers, b);
          if (!queryId || up.statusCode >= 300) return;
          facts.queryId = queryId;
          noteQuery(res, queryId, b.name);
          deps.affinity.rememberQuery(queryId, b.name, user);
          deps.tracker.started({
            queryId,
            backend: b.name,
            group: decision.group,
            user,
            source: s.source,
            clientAddress: s.remote,
            rule: decision.rule,
            policy: s.policy,
            sql: s.sql,
            queuedMs: s.queuedMs,
          });
          s.onQueryId?.(queryId);
        },
        done: (facts) => kit.settle(facts),
      }),
  };
  // Counted as load from the pick until the answer arrives, so a burst of submissions spreads out
  // instead of all landing where the load looked lowest a moment ago.
  b.submitting++;
  return deps.forwarder.forward(req, res, b, opts).finally(() => b.submitting--);
}

function submissionOf(
  req: IncomingMessage,
  body: Buffer,
  sql: string,
  user: string,
  decision: RoutingDecision,
  policy?: string,
): Submission {
  const source = header(req.headers, 'source');
  return {
    body,
    sql,
    user,
    decision,
    policy,
    source,
    remote: clientAddress(req),
    clientGzip: acceptsGzip(req),
  };
}

/** chosenBy says what chose the group, so a 503 tells an operator which rule or setting to look at. */
export function chosenBy(d: { source: string; rule?: string }): string {
  if (d.rule) return `chosen by rule "${d.rule}"`;
  if (d.source === 'header') return 'asked for in X-Trino-Routing-Group';
  if (d.source === 'principal-default') return "the user's default group";
  return 'routing.defaultGroup';
}
