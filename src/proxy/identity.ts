import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../trino/errors.js';
import { PRESTO, TRINO, decodeHeaderText, encodeHeaderText } from '../trino/headers.js';
import type { UserResolver } from './seams.js';

/** Trino's original-user headers: the authenticated user of a chained impersonation. */
const ORIGINAL_USER = ['x-trino-original-user', 'x-presto-original-user'] as const;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** nameIn reads a user name from a header value, or refuses one that is no text (400). */
function nameIn(header: string, v: string): string {
  const name = decodeHeaderText(v);
  if (name === undefined)
    throw new GatewayError(400, 'BAD_REQUEST', `${header} is neither UTF-8 nor printable ISO-8859-1`);
  return name;
}

/**
 * applyPrincipal makes the principal decide the user Trino sees, on a new query and on every follow-up
 * (polls, cancels, /v1/query), checked as Trino's chain checks it (HttpRequestSessionContextFactory):
 * - an original-user header (StatementClientV1 sends the JDBC sessionUser or user there) naming someone
 *   else than the principal is refused with 403 unless the principal may impersonate that user;
 * - a user header naming someone other than the original user (or the principal) is refused with 403
 *   unless the principal may impersonate that user (the gateway's rules are the principal's: the original
 *   user may become whom the principal may become);
 * - a name that is no text is refused with 400 (names are read as UTF-8, else ISO-8859-1).
 * A request naming no user runs as the original user, else the principal. X-Trino-User is then set to the
 * resolved user (a Presto-family request was renamed to X-Trino-* on arrival: presto-family.ts). Headers
 * are assigned, never deleted, so a poll's header object stays fast. Returns the user.
 */
export function applyPrincipal(req: IncomingMessage, principal: Principal, resolve: UserResolver): string {
  const h = req.headers;
  const self = principal.name;
  const original = originalUser(h, principal, resolve);
  const named = first(h[TRINO.user]);
  // The common case, a client naming itself (or no one), costs two comparisons.
  const user =
    named === undefined || named === self || named === original
      ? (named ?? original)
      : resolved(TRINO.user, named, principal, resolve);
  h[TRINO.user] = encodeHeaderText(user);
  return user;
}

/** originalUser is the original user the request names (allowed for the principal), else the principal. */
function originalUser(h: IncomingMessage['headers'], principal: Principal, resolve: UserResolver): string {
  const self = principal.name;
  let original = self;
  for (const k of ORIGINAL_USER) {
    const v = first(h[k]);
    if (v === undefined) continue;
    const name = v === self ? self : nameIn(k, v);
    if (name !== self) original = resolved(k, name, principal, resolve);
    h[k] = encodeHeaderText(name);
  }
  return original;
}

/** resolved is the user a header naming someone other than the principal runs as, or a 403. */
function resolved(header: string, v: string, principal: Principal, resolve: UserResolver): string {
  const who = resolve(principal, nameIn(header, v));
  if (!who.ok) throw new GatewayError(403, 'PERMISSION_DENIED', who.message);
  return who.user;
}

/** isStatusPath tells /v1/status (which needs a principal) from the public /v1/info paths. */
export const isStatusPath = (url: string | undefined): boolean => /^\/v1\/status(?:\?|$)/.test(url ?? '');

/**
 * anonymous removes every user header from a request the gateway sends on without a principal (the public
 * /v1/info paths): no caller-chosen user reaches a cluster unauthenticated.
 */
export function anonymous(h: IncomingMessage['headers']): void {
  for (const k of [TRINO.user, PRESTO.user, ...ORIGINAL_USER]) if (h[k] !== undefined) delete h[k];
}
