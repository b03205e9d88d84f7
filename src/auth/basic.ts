import { isUtf8 } from 'node:buffer';
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
 *
 * A password hash is slow on purpose (tens of milliseconds of CPU), so it is paid once per credential at a
 * time: requests that arrive while a credential is being checked share that check, and an entry in its
 * last quarter is renewed by one check in the background while hits go on being served. Without both, a
 * client polling over 32 connections paid 32 hashes each time its entry ran out, and all 32 polls waited.
 */
export class BasicAuthenticator implements Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  /** Checks under way, by cache key, with the user record each was started against. */
  private readonly checking = new Map<string, { p: Promise<AuthResult>; user: UserRecord | undefined }>();

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
      if (user === hit.user && user.passwordHash === hit.passwordHash) {
        if (hit.until - t < this.ttlMs / 4 && !this.checking.has(key)) {
          const renewal = this.check(req.remoteAddress, raw, key, t);
          if (renewal instanceof Promise) renewal.catch(() => undefined); // the next miss reports a failure
        }
        return hit.result;
      }
    }
    return this.check(req.remoteAddress, raw, key, t);
  }

  /**
   * check verifies a credential, or joins the check of it already under way against the same user record
   * (one started before the user's record changed is not joined: its answer is about the old record).
   */
  private check(remoteAddress: string, raw: string, key: string, t: number): AuthOutcome {
    if (!/^[A-Za-z0-9+/=\s]+$/.test(raw))
      return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
    const decoded = Buffer.from(raw.trim(), 'base64');
    // RFC 7617 names no charset. The Trino CLI, JDBC (OkHttp) and Python's requests send ISO-8859-1, which
    // is how Trino decodes; trino-js and curl send UTF-8. Bytes that are valid UTF-8 are read as UTF-8,
    // any others as ISO-8859-1, so both kinds of client log in with a non-ASCII name or password.
    const text = decoded.toString(isUtf8(decoded) ? 'utf8' : 'latin1');
    const colon = text.indexOf(':');
    if (colon <= 0) return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
    const name = text.slice(0, colon);
    const user = this.users.get(name);
    const pending = this.checking.get(key);
    if (pending && pending.user === user) return pending.p;
    const p = this.verify(remoteAddress, name, text.slice(colon + 1), user, key, t);
    this.checking.set(key, { p, user });
    const done = () => {
      if (this.checking.get(key)?.p === p) this.checking.delete(key);
    };
    p.then(done, done);
    return p;
  }

  /**
   * settled checks a password against the user's record until the record holds still (an admin may change
   * the password, the roles, or remove the user while a check runs): the record it passed, or undefined.
   */
  private async settled(
    name: string,
    password: string,
    user: UserRecord | undefined,
  ): Promise<UserRecord | undefined> {
    for (;;) {
      const ok = !!user && (await verifyPassword(password, user.passwordHash));
      const now = this.users.get(name);
      if (now === user) return ok ? user : undefined;
      user = now;
    }
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
    const blocked = this.limiter.blockedFor(remoteAddress, name);
    if (blocked > 0)
      return {
        ok: false,
        status: 429,
        reason: 'rate-limited',
        message: 'Too many failed logins; try again later',
        retryAfterSeconds: blocked,
      };
    const attempt = this.limiter.attempt(remoteAddress, name);
    try {
      user = await this.settled(name, password, user);
    } catch (e) {
      this.limiter.fail(attempt); // never leave an attempt open: it would hold its place for good
      throw e;
    }
    if (!user) {
      this.limiter.fail(attempt);
      return unauthorized('bad-credentials', 'Invalid username or password', CHALLENGE);
    }
    this.limiter.succeed(attempt);
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
