/**
 * FailureLimiter refuses (429) an address or a user name after too many failed logins in a window,
 * for a block period. Counters are per key, so one attacker blocks neither other users nor other
 * addresses. Memory is bounded: the oldest keys go first.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, { count: number; first: number; blockedUntil: number }>();

  constructor(
    private readonly o: {
      maxFailures: number;
      windowSeconds: number;
      blockSeconds: number;
      maxKeys?: number;
    },
    private readonly now: () => number = Date.now,
  ) {}

  /** blockedFor returns the seconds left on a block, or 0. */
  blockedFor(...keys: string[]): number {
    const t = this.now();
    let left = 0;
    for (const k of keys) {
      const e = this.failures.get(k);
      if (e && e.blockedUntil > t) left = Math.max(left, Math.ceil((e.blockedUntil - t) / 1000));
    }
    return left;
  }

  fail(...keys: string[]): void {
    const t = this.now();
    for (const k of keys) {
      let e = this.failures.get(k);
      if (!e || t - e.first > this.o.windowSeconds * 1000) {
        e = { count: 0, first: t, blockedUntil: 0 };
        this.failures.delete(k);
        if (this.failures.size >= (this.o.maxKeys ?? 100_000)) {
          const oldest = this.failures.keys().next().value;
          if (oldest !== undefined) this.failures.delete(oldest);
        }
        this.failures.set(k, e);
      }
      if (++e.count >= this.o.maxFailures) e.blockedUntil = t + this.o.blockSeconds * 1000;
    }
  }

  succeed(...keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }
}
