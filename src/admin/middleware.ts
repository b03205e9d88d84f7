import type http from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { GatewayAuthenticator } from '../auth/auth-chain.js';
import type { AuthResult } from '../auth/authenticator.js';
import { isAdmin } from '../auth/principal.js';
import { logPath } from '../auth/oidc-page.js';
import { clientAddress } from '../observability/client-address.js';
import type { Logger } from '../observability/logger.js';
import { requestId } from '../observability/request-id.js';
import type { AppEnv } from './http.js';

/** requestLog tags every answer with X-Request-Id and, at debug level, logs each request once. */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = requestId(c.req.header('x-request-id'));
    c.set('requestId', id);
    const t0 = performance.now();
    await next();
    c.res.headers.set('x-request-id', id);
    if (logger.isLevelEnabled('debug'))
      logger.debug(
        {
          reqId: id,
          method: c.req.method,
          path: logPath(c.req.path),
          status: c.res.status,
          ms: performance.now() - t0,
        },
        'app request',
      );
  };
}

/** The gateway's authentication as Hono middleware: who is calling, and whether an admin. */
export function authMiddleware(authenticator: GatewayAuthenticator) {
  const authenticate = async (c: Context): Promise<AuthResult> => {
    const incoming = (c.env as { incoming?: http.IncomingMessage } | undefined)?.incoming;
    return authenticator.authenticate({
      headers: Object.fromEntries(c.req.raw.headers),
      remoteAddress: incoming ? clientAddress(incoming) : '',
    });
  };
  /** requireAuth answers 401/429 (with the challenge) or sets the principal. */
  const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
    const r = await authenticate(c);
    if (!r.ok) {
      if (r.challenge) c.header('www-authenticate', r.challenge);
      if (r.retryAfterSeconds) c.header('retry-after', String(r.retryAfterSeconds));
      return c.json({ message: r.message }, r.status);
    }
    c.set('principal', r.principal);
    await next();
  };
  /** requireAdmin runs after requireAuth. */
  const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (!isAdmin(c.get('principal'))) return c.json({ message: 'the admin role is required' }, 403);
    await next();
  };
  return { authenticate, requireAuth, requireAdmin };
}
