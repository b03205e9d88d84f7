import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long one token poll waits for the sign-in to finish before answering "pending" (Trino's MAX_POLL_TIME). */
export const MAX_POLL_MS = 10_000;
/** Results (tokens, errors, "gone" marks) kept at most; the oldest go first. */
const MAX_RESULTS = 10_000;
/** Polls waiting at once at most; past that a poll answers "pending" at once. */
const MAX_WAITERS = 10_000;

/** The answer to one token poll, as Trino's OAuth2TokenExchangeResource gives it. */
export type PollAnswer =
  | { kind: 'token'; token: string }
  | { kind: 'error'; error: string }
  | { kind: 'pending' }
  /** 404: the id was never issued by this gateway (bad signature or shape). */
  | { kind: 'unknown' }
  /** 410: the token was delivered (or the client deleted it): one sign-in, one delivery. */
  | { kind: 'gone' };

type Result = { token?: string; error?: string; gone?: boolean; exp: number };

/** A verified id: the exchange key (Trino's hashAuthId) and its expiry (epoch ms). */
export interface ExchangeKey {
  key: string;
  exp: number;
}

/**
 * TokenExchange is the gateway's side of Trino's external-authentication token exchange. A 401 names two
 * ids: the token id (the client's secret, polled at x_token_server) and the initiate id (in the browser's
 * x_redirect_server link, holding only the hash of the token id, as Trino's hashAuthId). Both are signed
 * with an expiry, so nothing is stored per 401, an id the gateway never issued is told apart (404) and a
 * flood of unauthenticated requests costs no memory. State exists only once a sign-in finished: the token
 * (or the error) waits under the key until polled, then the key is "gone" until the id expires. Memory is
 * bounded (results and waiting polls); one replica holds a sign-in's result (as one Trino coordinator does).
 */
export class TokenExchange {
  private readonly results = new Map<string, Result>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private waiting = 0;

  constructor(
    private readonly secret: string,
    /** How long an id stays valid (auth.oidc.challengeTimeoutSeconds). */
    private readonly ttlMs: number,
    /** How long one poll waits for the sign-in (Trino's 10 s); tests shorten it. */
    public pollWaitMs = MAX_POLL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** issue makes a new pair of ids for one challenge. */
  issue(): { tokenId: string; initiateId: string; key: ExchangeKey } {
    const exp = this.now() + this.ttlMs;
    const body = `${randomBytes(18).toString('base64url')}.${exp.toString(36)}`;
    const tokenId = `${body}.${this.mac('token', body)}`;
    const key = keyOf(tokenId);
    const init = `${key}.${exp.toString(36)}`;
    return { tokenId, initiateId: `${init}.${this.mac('initiate', init)}`, key: { key, exp } };
  }

  /** verifyToken checks a token id; undefined when the gateway never issued it. */
  verifyToken(tokenId: string): ExchangeKey | undefined {
    const body = this.verify('token', tokenId);
    return body === undefined ? undefined : { key: keyOf(tokenId), exp: parseInt(body.split('.')[1], 36) };
  }

  /** verifyInitiate checks an initiate id; undefined when the gateway never issued it. */
  verifyInitiate(initiateId: string): ExchangeKey | undefined {
    const body = this.verify('initiate', initiateId);
    if (!body) return undefined;
    const [key, exp] = body.split('.');
    return { key, exp: parseInt(exp, 36) };
  }

  /** expired says whether a verified id is past its challenge timeout. */
  expired(k: ExchangeKey): boolean {
    return k.exp <= this.now();
  }

  /** state says whether the sign-in of this key may still complete (not finished, not gone, not expired). */
  open(k: ExchangeKey): boolean {
    return !this.expired(k) && !this.results.has(k.key);
  }

  /** complete hands the token to the key's poll, unless the key already has an outcome (one per sign-in). */
  complete(k: ExchangeKey, token: string): void {
    if (this.open(k)) this.settle(k, { token, exp: k.exp });
  }

  /** fail hands an error to the key's poll, unless the key already has an outcome. */
  fail(k: ExchangeKey, error: string): void {
    if (this.open(k)) this.settle(k, { error, exp: k.exp });
  }

  /** poll answers one token poll, waiting up to the poll time for a sign-in in progress. */
  async poll(tokenId: string): Promise<PollAnswer> {
    const k = this.verifyToken(tokenId);
    if (!k) return { kind: 'unknown' };
    const first = this.take(k);
    if (first.kind !== 'pending' || this.waiting >= MAX_WAITERS) return first;
    await this.wait(k.key, Math.min(this.pollWaitMs, k.exp - this.now()));
    return this.take(k);
  }

  /** drop ends a sign-in's state (the client's DELETE after receiving its token). */
  drop(tokenId: string): boolean {
    const k = this.verifyToken(tokenId);
    if (!k) return false;
    this.settle(k, { gone: true, exp: k.exp });
    return true;
  }

  private take(k: ExchangeKey): PollAnswer {
    const r = this.results.get(k.key);
    if (r?.gone) return { kind: 'gone' };
    if (r?.token !== undefined) {
      this.results.set(k.key, { gone: true, exp: r.exp });
      return { kind: 'token', token: r.token };
    }
    // An error stays until the id expires: a client that retries its poll sees it again, never a hang.
    if (r?.error !== undefined) return { kind: 'error', error: r.error };
    if (this.expired(k)) return { kind: 'error', error: 'Authentication has timed out' };
    return { kind: 'pending' };
  }

  private settle(k: ExchangeKey, r: Result): void {
    const now = this.now();
    for (const [key, old] of this.results) {
      if (old.exp > now && this.results.size < MAX_RESULTS) break;
      this.results.delete(key);
    }
    this.results.delete(k.key);
    this.results.set(k.key, r);
    for (const wake of this.waiters.get(k.key) ?? []) wake();
  }

  private wait(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, set);
      this.waiting++;
      const done = () => {
        clearTimeout(timer);
        if (!set.delete(done)) return;
        this.waiting--;
        if (set.size === 0) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      set.add(done);
    });
  }

  private verify(purpose: string, id: string): string | undefined {
    if (id.length > 200) return undefined;
    const dot = id.lastIndexOf('.');
    if (dot < 1) return undefined;
    const body = id.slice(0, dot);
    if (!/^[A-Za-z0-9_-]+\.[0-9a-z]{1,12}$/.test(body)) return undefined;
    const got = Buffer.from(id.slice(dot + 1));
    const want = Buffer.from(this.mac(purpose, body));
    return got.length === want.length && timingSafeEqual(got, want) ? body : undefined;
  }

  private mac(purpose: string, data: string): string {
    return createHmac('sha256', this.secret).update(`oidc-${purpose}\u0000${data}`).digest('base64url');
  }
}

/** keyOf is the exchange key of a token id: its SHA-256, so the browser's link never reveals the id. */
const keyOf = (tokenId: string): string => createHash('sha256').update(tokenId).digest('hex');
