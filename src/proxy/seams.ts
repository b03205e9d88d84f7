import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../auth/principal.js';
import type { GatewayError } from '../trino/errors.js';

/** Authentication as the proxy needs it: the gateway's authenticator (src/auth/auth-chain.ts). */
export type { GatewayAuthenticator as ProxyAuthenticator } from '../auth/auth-chain.js';

/** The routing decision for a new query: which group, and why (for history and the dry-run API). */
export interface RoutingDecision {
  group: string;
  rule?: string;
  source: string;
  /** The priority in the group's queue a rule set (higher is served first); undefined is 0. */
  queuePriority?: number;
}

/** Chooses the routing group of a new query (implemented by src/routing). */
export interface QueryRouter {
  route(input: {
    headers: IncomingHttpHeaders;
    principal: Principal;
    sql: string;
  }): RoutingDecision | GatewayError;
}

/** Decides the user Trino sees (the principal, or an allowed impersonation), or refuses. */
export type UserResolver = (
  principal: Principal,
  requested: string | undefined,
) => { ok: true; user: string } | { ok: false; status: 403; message: string };
