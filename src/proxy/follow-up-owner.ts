import type { Principal } from '../auth/principal.js';
import type { Backend } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import { GatewayError } from '../trino/errors.js';
import type { Affinity } from './affinity.js';
import type { UserResolver } from './seams.js';

/**
 * The owners of a follow-up: the backend the query (or transaction, or segment) lives on, and the user it
 * runs as. Never a guess: a follow-up the gateway cannot place is a Trino-shaped 404.
 */

/** notFound is the answer to a follow-up of a query the gateway cannot place. */
export function notFound(queryId: string): GatewayError {
  return new GatewayError(404, 'QUERY_NOT_FOUND', `query ${queryId} is not known to this gateway`);
}

/** ownerBackend is the configured backend named `name`, or a 404 naming the query it owned. */
export function ownerBackend(registry: BackendRegistry, name: string, queryId?: string): Backend {
  const b = registry.get(name);
  if (!b)
    throw new GatewayError(
      404,
      'QUERY_NOT_FOUND',
      queryId
        ? `query ${queryId} belongs to backend ${name}, which is no longer configured`
        : `backend ${name} is no longer configured`,
    );
  return b;
}

/** queryBackend is the backend memory knows owns `queryId` (recalled from the store first), or a 404. */
export function queryBackend(registry: BackendRegistry, affinity: Affinity, queryId: string): Backend {
  const owner = affinity.queryOwner(queryId);
  if (!owner) throw notFound(queryId);
  return ownerBackend(registry, owner, queryId);
}

/**
 * checkOwner binds a follow-up (poll, cancel, /v1/query/{id}, /ui/query.html?{id}) to the query's owner:
 * the user the query runs as. A principal may act on the query when it is that user, or may impersonate
 * it (then it could have submitted the same query as that user, so this grants nothing new): the submitting
 * principal always may, and so may the query's user itself when someone impersonating it submitted. Anyone
 * else gets a 403 before the request reaches the cluster, so a stranger holding a nextUri can neither read
 * rows nor cancel, nor make the gateway take the query for lost. A query the gateway cannot place (neither
 * memory nor history knows it) is a 404: an unknown owner is never taken for "anyone".
 *
 * Cost on a poll: one Map lookup and one string comparison (the owner polling its own query).
 */
export function checkOwner(
  principal: Principal,
  queryId: string,
  affinity: Affinity,
  resolve: UserResolver,
): void {
  const user = affinity.queryUser(queryId);
  if (user === principal.name) return;
  if (user === undefined) throw notFound(queryId);
  if (resolve(principal, user).ok) return;
  throw new GatewayError(
    403,
    'PERMISSION_DENIED',
    `Access Denied: query ${queryId} belongs to another user, and ${principal.name.slice(0, 128)} may not act as that user`,
  );
}

/**
 * ownerKnown resolves once memory or the store knows the query's user, or after graceMs; at once when it
 * is known already (every poll in steady state). Checked every 20 ms meanwhile (a history read each).
 */
export async function ownerKnown(affinity: Affinity, queryId: string, graceMs: number): Promise<void> {
  const until = Date.now() + graceMs;
  await affinity.recall(queryId);
  while (affinity.queryUser(queryId) === undefined && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    await affinity.recall(queryId);
  }
}
