import { DUMMY_HASH, verifyPassword } from './password-hash.js';

/** The gate is full: the caller answers "busy, retry" and counts no failed login. */
export const BUSY = 'busy' as const;

/**
 * HashGate bounds the password-hash work of the whole gateway. A scrypt check takes tens of milliseconds
 * of a libuv thread; unbounded, a burst of logins (or of distinct wrong passwords) takes every thread of
 * the pool, which the gateway also needs for gzip and file I/O, and every client's latency grows. At most
 * `concurrency` checks run at a time; others wait in one of two queues, familiar logins (a user at an
 * address it logged in from, a cached credential being renewed) served before strangers, each queue at
 * most `maxQueued` long. Beyond that a check is refused as BUSY.
 */
export class HashGate {
  private running = 0;
  private readonly queues: [Array<() => void>, Array<() => void>] = [[], []];

  constructor(
    private readonly concurrency = 2,
    private readonly maxQueued = 256,
    /** Called as each hash starts (a metric), with whether the login was familiar. */
    private readonly onHash: (familiar: boolean) => void = () => undefined,
  ) {}

  /**
   * verify checks a password against a stored hash, or against a dummy hash when there is none (an
   * unknown user costs the same time as a known one, so timing does not tell which names exist).
   */
  verify(password: string, hash: string | undefined, familiar: boolean): Promise<boolean | typeof BUSY> {
    const run = async () => {
      this.onHash(familiar);
      const ok = await verifyPassword(password, hash ?? DUMMY_HASH);
      return ok && hash !== undefined;
    };
    if (this.running < this.concurrency) return this.go(run);
    const q = this.queues[familiar ? 0 : 1];
    if (q.length >= this.maxQueued) return Promise.resolve(BUSY);
    return new Promise((resolve, reject) => q.push(() => void this.go(run).then(resolve, reject)));
  }

  /** active is how many checks run now. */
  active(): number {
    return this.running;
  }

  /** waiting is how many checks are queued (for tests and metrics). */
  waiting(): number {
    return this.queues[0].length + this.queues[1].length;
  }

  private async go<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      (this.queues[0].shift() ?? this.queues[1].shift())?.();
    }
  }
}
