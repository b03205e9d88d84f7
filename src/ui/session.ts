import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from '../auth/same-secret.js';

/** One signed-in console user, as read back from a verified cookie. */
export interface Session {
  /** Random session id: ties the CSRF token to this session and lets logout revoke it. */
  sid: string;
  user: string;
  /** Fingerprint of the user's password hash when signing in: a password change ends the session. */
  pwd: string;
  /** Expiry, epoch ms. */
  exp: number;
}

/**
 * Revoked session ids with their expiry (epoch ms), kept durably so a logout outlives a restart. Ids are
 * random and say nothing about the session; entries are dropped once the session would have expired.
 */
export interface RevocationStore {
  load(): Record<string, number>;
  /** save keeps the revocations; a store that writes asynchronously returns the write's promise. */
  save(revoked: Record<string, number>): void | Promise<void>;
  /** onChange calls fn when another process saved revocations (worker processes of one host). */
  onChange?(fn: () => void): void;
  /** refresh re-reads what another process saved, for a store that keeps a copy (called before onChange's fn). */
  refresh?(): Promise<void>;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64url');

/**
 * SessionCodec issues and verifies console session cookies: `payload.hmac`, HMAC-SHA256 over the payload
 * with a secret only the gateway knows, so a cookie cannot be forged or altered; expiry is inside the
 * signed payload. Logout revokes the session id until it would have expired anyway, in memory and in the
 * RevocationStore (read at start, so a restart does not forget a logout; the other workers of a host are
 * told through the store's onChange and merge it; a replica elsewhere that was not told still honours the
 * cookie until it restarts or the session expires, and the browser has dropped it).
 * CSRF tokens are synchronizer tokens derived from the session id: valid for that session only.
 */
export class SessionCodec {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly secret: string,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Where revoked session ids are kept across restarts (the gateway's database). Default: memory only. */
    private readonly store?: RevocationStore,
  ) {
    if (secret.length < 16) throw new Error('console session secret must be at least 16 characters');
    this.merge();
    store?.onChange?.(() => this.merge());
  }

  /** merge adds the stored revocations to memory (at start, and when another process logged one out). */
  private merge(): void {
    const t = this.now();
    for (const [sid, exp] of Object.entries(this.store?.load() ?? {}))
      if (typeof exp === 'number' && exp > t) this.revoked.set(sid, exp);
  }

  /** issue makes a new session for the user and returns the cookie value. */
  issue(user: string, passwordHash: string): { value: string; session: Session } {
    const session: Session = {
      sid: randomBytes(18).toString('base64url'),
      user,
      pwd: this.fingerprint(passwordHash),
      exp: this.now() + this.ttlMs,
    };
    const payload = b64(JSON.stringify(session));
    return { value: `${payload}.${this.mac('session', payload)}`, session };
  }

  /** read verifies a cookie value; undefined when absent, malformed, tampered with, expired or revoked. */
  read(value: string | undefined): Session | undefined {
    if (!value || value.length > 1024) return undefined;
    const dot = value.indexOf('.');
    if (dot < 1) return undefined;
    const payload = value.slice(0, dot);
    if (!sameSecret(value.slice(dot + 1), this.mac('session', payload))) return undefined;
    let s: Partial<Session>;
    try {
      s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<Session>;
    } catch {
      return undefined;
    }
    if (typeof s.sid !== 'string' || typeof s.user !== 'string' || typeof s.pwd !== 'string')
      return undefined;
    if (typeof s.exp !== 'number' || s.exp <= this.now() || this.revoked.has(s.sid)) return undefined;
    return s as Session;
  }

  /** matches says whether the session was issued against this password hash. */
  matches(session: Session, passwordHash: string): boolean {
    return sameSecret(session.pwd, this.fingerprint(passwordHash));
  }

  /** revoke ends a session before its expiry (logout). */
  revoke(session: Session): void {
    // Another process's logouts first: the stored value is one map, and this save replaces it.
    this.merge();
    const now = this.now();
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
    this.revoked.set(session.sid, session.exp);
    this.store?.save(Object.fromEntries(this.revoked));
  }

  /** csrfToken is the token every state-changing form of this session carries. */
  csrfToken(session: Session): string {
    return this.mac('csrf', session.sid);
  }

  checkCsrf(session: Session, token: string | undefined): boolean {
    return !!token && sameSecret(token, this.csrfToken(session));
  }

  /**
   * loginToken protects the login form itself (login CSRF): a random nonce kept in a short-lived cookie,
   * and its MAC in the form. Returns both.
   */
  loginToken(nonce = randomBytes(18).toString('base64url')): { nonce: string; token: string } {
    return { nonce, token: this.mac('login', nonce) };
  }

  checkLogin(nonce: string | undefined, token: string | undefined): boolean {
    return !!nonce && !!token && nonce.length <= 64 && sameSecret(token, this.mac('login', nonce));
  }

  private fingerprint(passwordHash: string): string {
    return this.mac('pwd', passwordHash).slice(0, 16);
  }

  private mac(purpose: string, data: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}\u0000${data}`).digest('base64url');
  }
}
