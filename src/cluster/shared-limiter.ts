import { FailureLimiter, type Attempt, type LockoutOptions } from '../auth/failure-limiter.js';
import type { PeerBus } from './peer-bus.js';

const TOPIC = 'login-failed';

/**
 * SharedFailureLimiter is the FailureLimiter of one worker among several: each failed login is also
 * counted by the other workers of the host, so spreading guesses over connections (and so over workers)
 * buys an attacker no more attempts. Logins being checked and successes stay per worker: a success only
 * ever lifts the limits of the pair that succeeded, so not sharing it errs on the safe side.
 */
export class SharedFailureLimiter extends FailureLimiter {
  constructor(
    o: LockoutOptions,
    private readonly bus: PeerBus,
    now: () => number = Date.now,
  ) {
    super(o, now);
    bus.subscribe(TOPIC, (d) => {
      if (!Array.isArray(d) || d.length !== 2) return;
      const [address, user] = d as unknown[];
      if (typeof address !== 'string' || typeof user !== 'string') return;
      if (address.length > 256 || user.length > 256) return;
      super.fail(this.attempt(address, user));
    });
  }

  override fail(a: Attempt): void {
    super.fail(a);
    // a.address and a.user are already keys (an IPv6 /64, a long name's digest): counted the same there.
    this.bus.publish(TOPIC, [a.address, a.user]);
  }
}
