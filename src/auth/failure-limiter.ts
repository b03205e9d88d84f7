import { hash } from 'node:crypto';

export interface LockoutOptions {
  /** Failed logins of one user from one address, within the window, before that pair is refused. */
  maxFailures: number;
  /** Failed logins of one user from any addresses before the user is refused at unfamiliar addresses. */
  userMaxFailures?: number;
  /** Failed logins from one address for any users before it is refused for users unfamiliar there. */
  addressMaxFailures?: number;
  windowSeconds: number;
  blockSeconds: number;
  /** How long a successful login makes its address familiar to its user. */
  familiarSeconds?: number;
  maxKeys?: number;
}

/** Names as keys: a long one (up to 4 KB can arrive in a credential) is kept as its digest. */
const keyName = (user: string) => (user.length > 64 ? hash('sha256', user, 'base64') : user);

interface Counter {
  count: number;
  first: number;
  blockedUntil: number;
}

/**
 * FailureLimiter refuses (429) failed-login patterns without locking out users who did nothing wrong:
 * - one user guessed at from one address: that pair is refused after `maxFailures`;
 * - one user guessed at from many addresses: the user is refused after `userMaxFailures` (default 4 ×
 *   maxFailures), except at addresses where it logged in successfully lately (familiar ones), so an
 *   attacker cannot lock the real user out of its usual place;
 * - many users tried from one address (password spraying): the address is refused after
 *   `addressMaxFailures` (default 4 × maxFailures), except for users familiar with it, so colleagues
 *   behind the same NAT or ingress keep logging in.
 * Memory is bounded: the oldest keys go first.
 */
export class FailureLimiter {
  private readonly counters = new Map<string, Counter>();
  /** `address \n user` → until when the user counts as familiar with the address. */
  private readonly familiar = new Map<string, number>();
  private readonly userMax: number;
  private readonly addressMax: number;
  private readonly familiarMs: number;
  private readonly maxKeys: number;

  constructor(
    private readonly o: LockoutOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.userMax = o.userMaxFailures ?? o.maxFailures * 4;
    this.addressMax = o.addressMaxFailures ?? o.maxFailures * 4;
    this.familiarMs = (o.familiarSeconds ?? 86_400) * 1000;
    this.maxKeys = o.maxKeys ?? 100_000;
  }

  /** blockedFor returns the seconds left on a block that applies to this login attempt, or 0. */
  blockedFor(address: string, user: string): number {
    const t = this.now();
    user = keyName(user);
    const pair = `${address}\n${user}`;
    const left = this.left(`p:${pair}`, t);
    if (left > 0) return left;
    if ((this.familiar.get(pair) ?? 0) > t) return 0;
    return Math.max(this.left(`u:${user}`, t), this.left(`a:${address}`, t));
  }

  /**
   * attempt counts a login about to be checked as a failure until it proves otherwise (succeed), so that
   * guesses checked concurrently meet the limits too: the check of a password takes tens of milliseconds,
   * and without this 40 concurrent guesses were all checked.
   */
  attempt(address: string, user: string): void {
    const t = this.now();
    user = keyName(user);
    this.count(`p:${address}\n${user}`, this.o.maxFailures, t);
    this.count(`u:${user}`, this.userMax, t);
    this.count(`a:${address}`, this.addressMax, t);
  }

  /** succeed withdraws the attempt, clears the pair's failures and makes the address familiar to the user. */
  succeed(address: string, user: string): void {
    user = keyName(user);
    this.withdraw(`u:${user}`, this.userMax);
    this.withdraw(`a:${address}`, this.addressMax);
    const pair = `${address}\n${user}`;
    this.counters.delete(`p:${pair}`);
    this.familiar.delete(pair);
    this.bound(this.familiar);
    this.familiar.set(pair, this.now() + this.familiarMs);
  }

  private left(key: string, t: number): number {
    const e = this.counters.get(key);
    return e && e.blockedUntil > t ? Math.ceil((e.blockedUntil - t) / 1000) : 0;
  }

  private withdraw(key: string, max: number): void {
    const e = this.counters.get(key);
    if (!e || e.count === 0) return;
    if (--e.count < max) e.blockedUntil = 0;
  }

  private count(key: string, max: number, t: number): void {
    let e = this.counters.get(key);
    // A counter starts over once its window has passed, but never while it holds a block.
    if (!e || (t - e.first > this.o.windowSeconds * 1000 && e.blockedUntil <= t)) {
      e = { count: 0, first: t, blockedUntil: 0 };
      this.counters.delete(key);
      this.bound(this.counters);
      this.counters.set(key, e);
    }
    if (++e.count >= max) e.blockedUntil = t + this.o.blockSeconds * 1000;
  }

  private bound(m: Map<string, unknown>): void {
    if (m.size < this.maxKeys) return;
    const oldest = m.keys().next().value;
    if (oldest !== undefined) m.delete(oldest);
  }
}
