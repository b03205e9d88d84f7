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

/** A verified credential: valid until `until`, and only while its user record and stored hash are these. */
interface CacheEntry {
  result: AuthResult;
  user: UserRecord;
  passwordHash: string;
  until: number;
}

/**
 * Basic authentication against the user directory. The Trino protocol sends credentials on every poll,
 * so a successful verification is cached for a short TTL. The cache key is the SHA-256 of the credential
 * string as sent: the password itself is never kept, and a wrong password can never hit an entry made by
 * the right one. An entry counts only while the user's record and stored hash are the ones it was
 * verified against, so a changed password or a removed user misses the cache. A hit decodes nothing.
 */
export class BasicAuthenticator implements Authenticator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly users: UserDirectory,
    private readonly limiter: FailureLimiter,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  authenticate(req: AuthRequest, encoded?: string): AuthOutcome {
    const raw = encoded ?? String(req.headers.authorization ?? '').slice(6);
    if (raw.length > 4096) return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
    // One-shot hash: no Hash object per poll.
    const key = hash('sha256', raw, 'base64');
    const hit = this.cache.get(key);
    const t = this.now();
    if (hit && hit.until > t) {
      const user = this.users.get(hit.user.name);
      // A user record changed or removed through the admin API is a new object (or none): its entries stop counting.
      if (user === hit.user && user.passwordHash === hit.passwordHash) return hit.result;
    }
    if (!/^[A-Za-z0-9+/=\s]+$/.test(raw))
      return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
    const decoded = Buffer.from(raw.trim(), 'base64');
    const text = UTF8.decode(decoded);
    const colon = text.indexOf(':');
    if (colon <= 0 || text.includes('\uFFFD'))
      return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
    const name = text.slice(0, colon);
    return this.verify(req.remoteAddress, name, text.slice(colon + 1), this.users.get(name), key, t);
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
    const result: AuthResult = { ok: true, principal };
    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(key, { result, user, passwordHash: user.passwordHash, until: t + this.ttlMs });
    }
    return result;
  }
}
