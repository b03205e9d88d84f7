import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../auth/principal.js';
import type { GatewayError } from '../trino/errors.js';

/** Authentication as the proxy needs it (implemented by src/auth). */
export type AuthOutcome =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      status: 401 | 403 | 429;
      reason: string;
      message: string;
      challenge?: string;
      retryAfterSeconds?: number;
    };

export interface ProxyAuthenticator {
  /**
   * Whether follow-ups (polls, cancels, segments) must carry credentials too. True with real
   * authentication (every request is checked, as Trino does); false when trusting X-Trino-User, where
   * polls carry no user and the signed handle plus Trino's slug are the capability.
   */
  readonly followUpsNeedCredentials: boolean;
  authenticate(req: { headers: IncomingHttpHeaders; remoteAddress: string }): Promise<AuthOutcome>;
}

/** The routing decision for a new query: which group, and why (for history and the dry-run API). */
export interface RoutingDecision {
  group: string;
  rule?: string;
  source: string;
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
