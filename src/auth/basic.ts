import { hash } from 'node:crypto';
import { compilePatterns } from './impersonation.js';
import type { AuthOutcome, AuthResult, Authenticator, AuthRequest } from './authenticator.js';
import { unauthorized } from './authenticator.js';
import type { FailureLimiter } from './failure-limiter.js';
import { verifyPassword } from './password-hash.js';
import type { Principal } from './principal.js';
import type { UserDirectory, UserRecord } from './user-directory.js';

const CHALLENGE = 'Basic realm="Switchyard"';
const MAX_CACHE = 10_000;
/** Decodes whole inputs only (no streaming state), so one instance serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Basic authentication against the user directory. The Trino protocol sends credentials on every poll,
 * so a successful verification is cached for a short TTL. The cache key is the SHA-256 of the whole
 * credential string plus the stored hash: the password itself is never kept, a changed password or
 * hash misses the cache, and a wrong password can never hit an entry made by the right one.
 */
export class BasicAuthenticator implements Authenticator {
  private readonly cache = new Map<string, { principal: Principal; user: object; until: number }>();

  constructor(
    private readonly users: UserDirectory,
    private readonly limiter: FailureLimiter,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  authenticate(req: AuthRequest, encoded?: string): AuthOutcome {
    const raw = encoded ?? String(req.headers.authorization ?? '').slice(6);
    if (raw.length > 4096 || !/^[A-Za-z0-9+/=\s]+$/.test(raw))
      return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
    const decoded = Buffer.from(raw.trim(), 'base64');
    const text = UTF8.decode(decoded);
    const colon = text.indexOf(':');
    if (colon <= 0 || text.includes('\uFFFD'))
      return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
    const name = text.slice(0, colon);
    const password = text.slice(colon + 1);
    const user = this.users.get(name);
    // One-shot hash: no Hash object per poll (a third of createHash's cost).
    const key = hash('sha256', `${text}\0${user?.passwordHash ?? ''}`, 'base64');
    const hit = this.cache.get(key);
    const t = this.now();
    // A user record changed or removed through the admin API is a new object: its cached entries stop counting.
    if (hit && hit.until > t && hit.user === user) return { ok: true, principal: hit.principal };
    return this.verify(req.remoteAddress, name, password, user, key, t);
  }

  /** verify checks a password against its hash (slow on purpose), under the failure limiter, and caches a success. */
  private async verify(
    remoteAddress: string,
    name: string,
    password: string,
    user: UserRecord | undefined,
    key: string,
    t: number,
  ): Promise<AuthResult> {
    const blocked = this.limiter.blockedFor(`addr:${remoteAddress}`, `user:${name}`);
    if (blocked > 0)
      return {
        ok: false,
        status: 429,
        reason: 'rate-limited',
        message: 'Too many failed logins; try again later',
        retryAfterSeconds: blocked,
      };
    if (!user || !(await verifyPassword(password, user.passwordHash))) {
      this.limiter.fail(`addr:${remoteAddress}`, `user:${name}`);
      return unauthorized('bad-credentials', 'Invalid username or password', CHALLENGE);
    }
    this.limiter.succeed(`user:${name}`);
    const principal: Principal = {
      name: user.name,
      roles: user.roles,
      groups: user.groups,
      defaultGroup: user.defaultGroup,
      impersonate: compilePatterns(user.impersonate),
      method: 'basic',
    };
    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(key, { principal, user, until: t + this.ttlMs });
    }
    return { ok: true, principal };
  }
}
