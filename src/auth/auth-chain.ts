import type { Logger } from '../observability/logger.js';
import { decodeHeaderText } from '../trino/headers.js';
import type { Metrics } from '../observability/metrics.js';
import type { AuthConfig } from './auth-config.js';
import { unauthorized, type AuthOutcome, type AuthRequest, type AuthResult } from './authenticator.js';
import { BasicAuthenticator } from './basic.js';
import { FailureLimiter } from './failure-limiter.js';
import { HashGate } from './hash-gate.js';
import type { SharedFailures } from './shared-failures.js';
import { JwtAuthenticator } from './jwt.js';
import type { OidcAuthenticator } from './oidc-authenticator.js';
import type { UserDirectory } from './user-directory.js';

export interface GatewayAuthenticator {
  /** Whether polls and cancels must carry credentials too (true unless trusting X-Trino-User). */
  readonly followUpsNeedCredentials: boolean;
  authenticate(req: AuthRequest): AuthOutcome;
}

/**
 * createAuthenticator dispatches on the Authorization scheme: Basic → users, Bearer → JWT, or with
 * auth.oidc the gateway's own tokens (JWE) and, unless auth.jwt is on, the issuer's JWTs. No or an
 * unknown scheme gets a 401 challenging every enabled scheme; with OIDC that includes Trino's
 * external-authentication challenge (fresh ids on every 401). Mode `none` trusts X-Trino-User (an
 * explicit choice, like a Trino cluster without authentication). Failures are counted, never logged
 * with credentials.
 */
export function createAuthenticator(
  cfg: AuthConfig,
  deps: {
    users: UserDirectory;
    metrics: Metrics;
    logger: Logger;
    baseDir: string;
    /** The failed-login limiter, shared with the console. Default: one of its own from cfg.lockout. */
    limiter?: FailureLimiter;
    /** Bounds password-hash work, shared with the console. Default: one of its own. */
    gate?: HashGate;
    /** The replicas' shared failed-login counts (PostgreSQL). */
    shared?: SharedFailures;
    /** OIDC sign-in (auth.oidc): the gateway's tokens, the issuer's JWTs, the external-auth challenge. */
    oidc?: OidcAuthenticator;
  },
): GatewayAuthenticator {
  const countNow = (r: AuthResult, method: string): AuthResult => {
    if (!r.ok) deps.metrics.authFailures.inc({ method, reason: r.reason });
    return r;
  };
  // A result that is already there stays synchronous (a cached poll); a pending one is counted when it settles.
  const count = (r: AuthOutcome, method: string): AuthOutcome =>
    r instanceof Promise ? r.then((x) => countNow(x, method)) : countNow(r, method);
  if (cfg.mode === 'none') {
    deps.logger.warn('authentication is OFF (auth.mode: none): X-Trino-User is trusted as sent');
    return {
      followUpsNeedCredentials: false,
      authenticate(req) {
        const u = req.headers['x-trino-user'] || req.headers['x-presto-user'];
        const raw = Array.isArray(u) ? u[0] : u;
        if (!raw) return count(unauthorized('missing', 'X-Trino-User header is required'), 'header');
        const name = decodeHeaderText(raw);
        if (name === undefined)
          return count(
            unauthorized('malformed', 'X-Trino-User is neither UTF-8 nor printable ISO-8859-1'),
            'header',
          );
        return {
          ok: true,
          principal: { name, groups: cfg.headerUsers.groups, roles: cfg.headerUsers.roles, method: 'header' },
        };
      },
    };
  }
  const limiter = deps.limiter ?? new FailureLimiter(cfg.lockout);
  const basic = cfg.basic.enabled
    ? new BasicAuthenticator(
        deps.users,
        limiter,
        cfg.basic.cacheTtlSeconds * 1000,
        Date.now,
        deps.gate ?? new HashGate(cfg.basic.maxConcurrentHashes),
        deps.shared,
      )
    : undefined;
  const jwt = cfg.jwt?.enabled
    ? new JwtAuthenticator(cfg.jwt, deps.baseDir, undefined, undefined, (name) => !!deps.users.get(name))
    : undefined;
  const oidc = deps.oidc;
  const fixed = [basic && 'Basic realm="Switchyard"', jwt && !oidc && 'Bearer realm="Switchyard"']
    .filter(Boolean)
    .join(', ');
  // Trino's clients read the first Bearer challenge that names x_token_server; Basic may follow it.
  const challenge = (): string => (oidc ? [oidc.challenge(), fixed].filter(Boolean).join(', ') : fixed);
  return {
    followUpsNeedCredentials: true,
    authenticate(req) {
      const h = req.headers.authorization;
      if (typeof h !== 'string' || !h)
        return count(unauthorized('missing', 'Authentication required', challenge()), 'none');
      const space = h.indexOf(' ');
      const scheme = (space < 0 ? h : h.slice(0, space)).toLowerCase();
      if (scheme === 'basic' && basic) return count(basic.authenticate(req, h.slice(space + 1)), 'basic');
      if (scheme === 'bearer' && (jwt || oidc)) {
        const token = h.slice(space + 1).trim();
        // The gateway's own tokens are JWEs (five parts); other bearer tokens are JWTs.
        if (oidc && (!jwt || isJwe(token))) return count(oidc.authenticate(token), 'oidc');
        return count(jwt!.authenticate(req, token), 'jwt');
      }
      return count(unauthorized('scheme', `Unsupported authentication scheme`, challenge()), 'none');
    },
  };
}

/** isJwe tells a compact JWE (five parts) from a JWS (three) by its dots, without allocating (a poll's cost). */
function isJwe(token: string): boolean {
  let dots = 0;
  for (let i = token.indexOf('.'); i >= 0 && dots < 5; i = token.indexOf('.', i + 1)) dots++;
  return dots === 4;
}
