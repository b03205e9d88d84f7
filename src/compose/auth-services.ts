import { createAuthenticator, type GatewayAuthenticator } from '../auth/auth-chain.js';
import type { FailureLimiter } from '../auth/failure-limiter.js';
import { SharedFailureLimiter } from '../cluster/shared-limiter.js';
import { HashGate } from '../auth/hash-gate.js';
import { createOidc, type OidcService } from '../auth/oidc-service.js';
import { PasswordLogin } from '../auth/password-login.js';
import { SharedFailures } from '../auth/shared-failures.js';
import { LayeredUserDirectory } from '../auth/user-directory.js';
import { audit } from '../observability/audit.js';
import type { Core } from './core.js';

export interface AuthServices {
  users: LayeredUserDirectory;
  /** Failed-login limits, shared by Basic authentication and the console's sign-in. */
  loginLimiter: FailureLimiter;
  /** Bounds password-hash work (Basic and console sign-ins). */
  hashGate: HashGate;
  /** Password sign-in under the limiter and the gate; the console signs in through it. */
  passwords: PasswordLogin;
  authenticator: GatewayAuthenticator;
  /** OIDC sign-in (auth.oidc), when configured and authentication is on. */
  oidc: OidcService | undefined;
}

/** buildAuth: the users, one failed-login limiter and one hash gate for every password path, OIDC. */
export function buildAuth(k: Core): AuthServices {
  const cfg = k.config;
  const users = new LayeredUserDirectory(
    cfg.auth.users,
    k.store.users,
    (c) => audit(k.logger, c),
    k.preload.users,
  );
  const loginLimiter = new SharedFailureLimiter(cfg.auth.lockout, k.replica.bus);
  // Several replicas (PostgreSQL) count failures together; one process (SQLite) has them all already.
  const shared =
    cfg.database.url === undefined
      ? undefined
      : new SharedFailures(k.store.loginFailures, cfg.auth.lockout, k.logger);
  const hashGate = new HashGate(cfg.auth.basic.maxConcurrentHashes, 256, () =>
    k.metrics.passwordHashes.inc(),
  );
  const oidc =
    k.secrets.oidc !== undefined && cfg.auth.oidc
      ? createOidc(cfg.auth.oidc, {
          publicUrl: cfg.server.publicUrl,
          secret: k.secrets.oidc,
          logger: k.logger,
          isPasswordUser: (name) => users.get(name) !== undefined,
        })
      : undefined;
  const authenticator = createAuthenticator(cfg.auth, {
    users,
    metrics: k.metrics,
    logger: k.logger,
    baseDir: cfg.baseDir,
    limiter: loginLimiter,
    gate: hashGate,
    shared,
    oidc: oidc?.authenticator,
  });
  return {
    users,
    loginLimiter,
    hashGate,
    passwords: new PasswordLogin(users, loginLimiter, hashGate, shared),
    authenticator,
    oidc,
  };
}
