import { isUtf8 } from 'node:buffer';
import { hash, randomBytes } from 'node:crypto';
import { compilePatterns } from './impersonation.js';
import type { AuthOutcome, AuthResult, Authenticator, AuthRequest } from './authenticator.js';
import { unauthorized } from './authenticator.js';
import type { FailureLimiter } from './failure-limiter.js';
import { HashGate } from './hash-gate.js';
import { PasswordLogin } from './password-login.js';
import type { SharedFailures } from './shared-failures.js';
import type { Principal } from './principal.js';
import type { UserDirectory, UserRecord } from './user-directory.js';

const CHALLENGE = 'Basic realm="Switchyard"';
const MAX_CACHE = 10_000;
/** Spellings of credentials remembered (each maps to its credential's key; forgetting one costs a decode, never a hash). */
const MAX_SPELLINGS = 10_000;

/** A verified credential: valid until `until`, and only while its user record and stored hash are these. */
interface CacheEntry {
  result: AuthResult;
  user: UserRecord;
  passwordHash: string;
  until: number;
}

/** A decoded credential and its key. */
interface Credential {
  key: string;
  name: string;
  password: string;
}

/**
 * Basic authentication against the user directory. The Trino protocol sends credentials on every poll,
 * so a successful verification is cached for a short TTL.
 *
 * Keys: a credential is keyed by what it says, not how it is spelled. The header's base64 may come with or
 * without padding, with whitespace, or with a different scheme spelling; all decode to one user name and
 * password, and the key is a SHA-256 of those (salted per process), so every spelling shares one cache
 * entry and one check: spellings cannot each cost a password hash, nor push other users out of the cache.
 * The SHA-256 of each spelling seen maps to the key, so a hit decodes nothing. The password itself is
 * never kept, and a wrong password can never hit an entry made by the right one. An entry counts only
 * while the user's record and stored hash are the ones it was verified against.
 *
 * A password hash is slow on purpose (tens of milliseconds of CPU), so it is paid once per credential at a
 * time: requests that arrive while a credential is being checked share that check, and an entry in its
 * last quarter is renewed by one check in the background while hits go on being served. All checks go
 * through the gateway's HashGate, which bounds how many run at once; an unknown user is checked against a
 * dummy hash, so the answer's timing does not tell which names exist.
 */
export class BasicAuthenticator implements Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  /** SHA-256 of a spelling as sent → its credential's key. */
  private readonly spellings = new Map<string, string>();
  /** Checks under way, by credential key, with the user record each was started against. */
  private readonly checking = new Map<string, { p: Promise<AuthResult>; user: UserRecord | undefined }>();
  private readonly salt = randomBytes(16).toString('base64');
  private readonly login: PasswordLogin;

  constructor(
    private readonly users: UserDirectory,
    limiter: FailureLimiter,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    gate: HashGate = new HashGate(),
    shared?: SharedFailures,
  ) {
    this.login = new PasswordLogin(users, limiter, gate, shared);
  }

  authenticate(req: AuthRequest, encoded?: string): AuthOutcome {
    const raw = encoded ?? String(req.headers.authorization ?? '').slice(6);
    if (raw.length > 4096) return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
    // One-shot hash: no Hash object per poll.
    const spelling = hash('sha256', raw, 'base64');
    let key = this.spellings.get(spelling);
    let cred: Credential | undefined;
    if (key === undefined) {
      cred = this.decode(raw);
      if (!cred) return unauthorized('malformed', 'Malformed Basic credentials', CHALLENGE);
      key = cred.key;
      bounded(this.spellings, MAX_SPELLINGS);
      this.spellings.set(spelling, key);
    }
    const hit = this.cache.get(key);
    const t = this.now();
    if (hit && hit.until > t) {
      const user = this.users.get(hit.user.name);
      // A user record changed or removed through the admin API is a new object (or none): its entries stop counting.
      if (user === hit.user && user.passwordHash === hit.passwordHash) {
        if (hit.until - t < this.ttlMs / 4 && !this.checking.has(key)) {
          const renewal = this.check(req.remoteAddress, cred ?? this.decode(raw)!, t);
          if (renewal instanceof Promise) renewal.catch(() => undefined); // the next miss reports a failure
        }
        return hit.result;
      }
    }
    return this.check(req.remoteAddress, cred ?? this.decode(raw)!, t);
  }

  /** decode reads a credential from the header's base64, or undefined when it is malformed. */
  private decode(raw: string): Credential | undefined {
    if (!/^[A-Za-z0-9+/=\s]+$/.test(raw)) return undefined;
    const decoded = Buffer.from(raw.replace(/\s+/g, ''), 'base64');
    // RFC 7617 names no charset. The Trino CLI, JDBC (OkHttp) and Python's requests send ISO-8859-1, which
    // is how Trino decodes; trino-js and curl send UTF-8. Bytes that are valid UTF-8 are read as UTF-8,
    // any others as ISO-8859-1, so both kinds of client log in with a non-ASCII name or password.
    const text = decoded.toString(isUtf8(decoded) ? 'utf8' : 'latin1');
    const colon = text.indexOf(':');
    if (colon <= 0) return undefined;
    return {
      key: hash('sha256', `${this.salt}\n${text}`, 'base64'),
      name: text.slice(0, colon),
      password: text.slice(colon + 1),
    };
  }

  /**
   * check verifies a credential, or joins the check of it already under way against the same user record
   * (one started before the user's record changed is not joined: its answer is about the old record).
   */
  private check(remoteAddress: string, cred: Credential, t: number): AuthOutcome {
    const user = this.users.get(cred.name);
    const pending = this.checking.get(cred.key);
    if (pending && pending.user === user) return pending.p;
    const p = this.verify(remoteAddress, cred, user, t);
    this.checking.set(cred.key, { p, user });
    const done = () => {
      if (this.checking.get(cred.key)?.p === p) this.checking.delete(cred.key);
    };
    p.then(done, done);
    return p;
  }

  /** verify checks a password (slow on purpose) under the failure limiter, and caches a success. */
  private async verify(
    remoteAddress: string,
    cred: Credential,
    user: UserRecord | undefined,
    t: number,
  ): Promise<AuthResult> {
    const r = await this.login.check(remoteAddress, cred.name, cred.password, user);
    if (!r.ok) return r.status === 401 ? { ...r, challenge: CHALLENGE } : r;
    const found = r.user;
    const principal: Principal = {
      name: found.name,
      roles: found.roles,
      groups: found.groups,
      defaultGroup: found.defaultGroup,
      impersonate: compilePatterns(found.impersonate),
      method: 'basic',
    };
    const result: AuthResult = { ok: true, principal };
    if (this.ttlMs > 0) {
      this.cache.delete(cred.key);
      bounded(this.cache, MAX_CACHE);
      this.cache.set(cred.key, {
        result,
        user: found,
        passwordHash: found.passwordHash,
        until: t + this.ttlMs,
      });
    }
    return result;
  }
}

/** bounded makes room for one more entry by forgetting the oldest (insertion order). */
function bounded(m: Map<string, unknown>, max: number): void {
  if (m.size < max) return;
  const oldest = m.keys().next().value;
  if (oldest !== undefined) m.delete(oldest);
}
