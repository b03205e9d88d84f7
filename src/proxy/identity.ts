import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../trino/errors.js';
import { PRESTO, TRINO } from '../trino/headers.js';
import type { UserResolver } from './seams.js';

/**
 * The headers through which a client names a Trino user: the session user, and the original user of
 * Trino's chained impersonation (a cluster that trusts headers prefers the latter), in both families.
 */
const USER_HEADERS = [TRINO.user, PRESTO.user, 'x-trino-original-user', 'x-presto-original-user'];
const NON_ASCII = /[^\x20-\x7e]/;

/**
 * applyPrincipal makes the principal decide the user Trino sees, on a new query and on every follow-up
 * (polls, cancels, /v1/query): each user header naming someone else is refused with 403 unless the
 * principal may impersonate that user, and a name that is not UTF-8 is refused with 400. The session
 * user header is then set to the resolved user, in the family the client used (assigned, never deleted,
 * so a poll's header object stays fast). Returns the user.
 */
export function applyPrincipal(req: IncomingMessage, principal: Principal, resolve: UserResolver): string {
  const h = req.headers;
  let user = principal.name;
  for (const k of USER_HEADERS) {
    const v = h[k];
    if (v === undefined) continue;
    const name = Array.isArray(v) ? v[0] : v;
    if (NON_ASCII.test(name) && !isUtf8(Buffer.from(name, 'latin1')))
      throw new GatewayError(400, 'BAD_REQUEST', `${k} is not valid UTF-8`);
    const who = resolve(principal, name);
    if (!who.ok) throw new GatewayError(403, 'PERMISSION_DENIED', who.message);
    if (k === TRINO.user || (k === PRESTO.user && h[TRINO.user] === undefined)) user = who.user;
  }
  const presto = h[PRESTO.user] !== undefined;
  if (h[TRINO.user] !== undefined || !presto) h[TRINO.user] = user;
  if (presto) h[PRESTO.user] = user;
  return user;
}
