import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../trino/errors.js';
import type { Affinity } from './affinity.js';
import { notFound } from './proxy-kit.js';
import type { UserResolver } from './seams.js';

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
