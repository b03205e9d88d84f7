import type { Logger } from '../observability/logger.js';
import type { FailureKey, LoginFailureStore } from '../store/ports.js';
import { addressKey, keyName, type LockoutOptions } from './failure-limiter.js';

/**
 * SharedFailures counts failed logins for every replica in the store, behind each replica's own
 * FailureLimiter (which stays the first line and the only one on SQLite): a guess on any replica counts on
 * all, so spreading guesses over replicas buys no more of them. Read only when a password is about to be
 * checked (a verification-cache miss, where the hash costs far more than the read), with the limiter's
 * keys and rules: a blocked address-and-user pair always refuses; a blocked user or address refuses unless
 * the user is familiar with the address. A store that fails is logged and counts as no block: the local
 * limiter still applies.
 */
export class SharedFailures {
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly userMax: number;
  private readonly addressMax: number;

  constructor(
    private readonly store: LoginFailureStore,
    private readonly o: LockoutOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = o.windowSeconds * 1000;
    this.blockMs = o.blockSeconds * 1000;
    this.userMax = o.userMaxFailures ?? o.maxFailures * 4;
    this.addressMax = o.addressMaxFailures ?? o.maxFailures * 4;
  }

  private keys(address: string, user: string): [FailureKey, FailureKey, FailureKey] {
    const a = addressKey(address);
    const u = keyName(user);
    return [
      { key: `p:${a}\n${u}`, max: this.o.maxFailures },
      { key: `u:${u}`, max: this.userMax },
      { key: `a:${a}`, max: this.addressMax },
    ];
  }

  /** blockedFor returns the seconds left on a shared block that applies to this login, or 0. */
  async blockedFor(address: string, user: string, familiar: boolean): Promise<number> {
    const [pair, ...others] = this.keys(address, user);
    const applying = familiar ? [pair] : [pair, ...others];
    try {
      const t = this.now();
      const blocks = await this.store.blockedUntil(
        applying.map((k) => k.key),
        t,
      );
      const until = Math.max(0, ...blocks.values());
      return until > t ? Math.ceil((until - t) / 1000) : 0;
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'cannot read the shared failed-login counts');
      return 0;
    }
  }

  /** fail counts a failed login on every replica (not awaited by the login: its answer is the same). */
  fail(address: string, user: string): Promise<void> {
    return this.store
      .fail(this.keys(address, user), this.windowMs, this.blockMs, this.now())
      .catch((e: Error) =>
        this.logger.warn({ err: e.message }, 'cannot count a failed login for the replicas'),
      );
  }

  /** succeed clears the pair's shared failures, as the local limiter clears its own. */
  succeed(address: string, user: string): Promise<void> {
    return this.store
      .clear(this.keys(address, user)[0].key)
      .catch((e: Error) => this.logger.warn({ err: e.message }, 'cannot clear shared failed logins'));
  }
}
