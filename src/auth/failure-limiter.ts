import { hash } from 'node:crypto';
import { isIP } from 'node:net';

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

/**
 * Addresses as keys: an IPv6 address counts as its /64, which one client usually holds whole (and could
 * otherwise walk through); IPv4 and anything else as it is.
 */
export function addressKey(a: string): string {
  const zone = a.indexOf('%');
  const ip = zone >= 0 ? a.slice(0, zone) : a;
  if (isIP(ip) !== 6 || ip.includes('.')) return a;
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** Names as keys: a long one (up to 4 KB can arrive in a credential) is kept as its digest. */
export const keyName = (user: string) => (user.length > 64 ? hash('sha256', user, 'base64') : user);

interface Counter {
  /** Failed logins in the window. */
  count: number;
  /** Logins being checked now: counted against the limit until they end, never toward a block. */
  pending: number;
  max: number;
  first: number;
  blockedUntil: number;
}

/** A login being checked: the counters it holds a place in, ended by `fail` or `succeed`. */
export interface Attempt {
  readonly address: string;
  readonly user: string;
  readonly counters: readonly Counter[];
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
 * Memory is bounded (maxKeys), and bounding it never lifts a block: see boundCounters.
 */
export class FailureLimiter {
  private readonly counters = new Map<string, Counter>();
  /** `address \n user` → until when the user counts as familiar with the address. */
  private readonly familiar = new Map<string, number>();
  private readonly userMax: number;
  private readonly addressMax: number;
  private readonly familiarMs: number;
  private readonly maxKeys: number;
  /** Size at which the next sweep of the counters runs (see boundCounters). */
  private sweepAt = 0;

  constructor(
    private readonly o: LockoutOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.userMax = o.userMaxFailures ?? o.maxFailures * 4;
    this.addressMax = o.addressMaxFailures ?? o.maxFailures * 4;
    this.familiarMs = (o.familiarSeconds ?? 86_400) * 1000;
    this.maxKeys = o.maxKeys ?? 100_000;
  }

  /**
   * blockedFor returns the seconds left on a block that applies to this login attempt, or 0. Checks in
   * progress count against the limits (as 1 s), so concurrent guesses meet them too: a password check takes
   * tens of milliseconds, and without this 40 concurrent guesses were all checked.
   */
  blockedFor(address: string, user: string): number {
    const t = this.now();
    user = keyName(user);
    address = addressKey(address);
    const pair = `${address}\n${user}`;
    const left = this.left(`p:${pair}`, t);
    if (left > 0) return left;
    if ((this.familiar.get(pair) ?? 0) > t) return 0;
    return Math.max(this.left(`u:${user}`, t), this.left(`a:${address}`, t));
  }

  /** isFamiliar tells whether the user logged in successfully from this address lately. */
  isFamiliar(address: string, user: string): boolean {
    return (this.familiar.get(`${addressKey(address)}\n${keyName(user)}`) ?? 0) > this.now();
  }

  /** attempt holds a place for a login about to be checked; end it with fail or succeed. */
  attempt(address: string, user: string): Attempt {
    const t = this.now();
    user = keyName(user);
    address = addressKey(address);
    const counters = [
      this.counter(`p:${address}\n${user}`, this.o.maxFailures, t),
      this.counter(`u:${user}`, this.userMax, t),
      this.counter(`a:${address}`, this.addressMax, t),
    ];
    for (const c of counters) c.pending++;
    return { address, user, counters };
  }

  /** fail turns the attempt into a failed login, on the counters it was counted in. */
  fail(a: Attempt): void {
    const t = this.now();
    for (const c of a.counters) {
      c.pending--;
      if (++c.count >= c.max) c.blockedUntil = t + this.o.blockSeconds * 1000;
    }
  }

  /** release ends an attempt that made no guess (the check could not run), counting nothing. */
  release(a: Attempt): void {
    for (const c of a.counters) c.pending--;
  }

  /** succeed ends the attempt, clears the pair's failures and makes the address familiar to the user. */
  succeed(a: Attempt): void {
    for (const c of a.counters) c.pending--;
    const pair = `${a.address}\n${a.user}`;
    if (this.counters.get(`p:${pair}`) === a.counters[0]) this.counters.delete(`p:${pair}`);
    this.familiar.delete(pair);
    this.bound(this.familiar);
    this.familiar.set(pair, this.now() + this.familiarMs);
  }

  private left(key: string, t: number): number {
    const e = this.counters.get(key);
    if (!e) return 0;
    if (e.blockedUntil > t) return Math.ceil((e.blockedUntil - t) / 1000);
    return e.count + e.pending >= e.max && e.pending > 0 ? 1 : 0;
  }

  /** counter is a key's counter, started over once its window has passed (but never while it blocks). */
  private counter(key: string, max: number, t: number): Counter {
    const e = this.counters.get(key);
    if (e && (t - e.first <= this.o.windowSeconds * 1000 || e.blockedUntil > t)) return e;
    // Attempts still open on the old counter end there: they never touch the new window's counts.
    const fresh: Counter = { count: 0, pending: 0, max, first: t, blockedUntil: 0 };
    this.counters.delete(key);
    this.boundCounters(t);
    this.counters.set(key, fresh);
    return fresh;
  }

  /**
   * boundCounters keeps the counters within maxKeys without ever lifting a block: when full, counters that
   * block nothing and hold no check in progress are forgotten, oldest first, down to 90 %. Counters that
   * block stay (their number is bounded by how fast failures can be made, each a password hash, times the
   * block time); while they alone fill the map it may grow past maxKeys, and the next sweep waits until it
   * has grown by another tenth, so a sweep costs O(1) per new counter on average.
   */
  private boundCounters(t: number): void {
    if (this.counters.size < Math.max(this.maxKeys, this.sweepAt)) return;
    const target = Math.floor(this.maxKeys * 0.9);
    for (const [k, c] of this.counters) {
      if (this.counters.size <= target) break;
      if (c.blockedUntil <= t && c.pending === 0) this.counters.delete(k);
    }
    this.sweepAt = this.counters.size + Math.ceil(this.maxKeys / 10);
  }

  private bound(m: Map<string, unknown>): void {
    if (m.size < this.maxKeys) return;
    const oldest = m.keys().next().value;
    if (oldest !== undefined) m.delete(oldest);
  }
}
