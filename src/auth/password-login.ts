import type { AuthFailure } from './authenticator.js';
import type { FailureLimiter } from './failure-limiter.js';
import type { SharedFailures } from './shared-failures.js';
import { BUSY, type HashGate } from './hash-gate.js';
import type { UserDirectory, UserRecord } from './user-directory.js';

/** A password login's answer: the user record the password matched, or why not (401, 429 or 503). */
export type PasswordOutcome = { ok: true; user: UserRecord } | AuthFailure;

/** The plug point the console signs in through; Basic authentication uses the same check. */
export interface PasswordCheck {
  check(remoteAddress: string, name: string, password: string): Promise<PasswordOutcome>;
}

const rateLimited = (seconds: number): AuthFailure => ({
  ok: false,
  status: 429,
  reason: 'rate-limited',
  message: 'Too many failed logins; try again later',
  retryAfterSeconds: seconds,
});

const BUSY_ANSWER: AuthFailure = {
  ok: false,
  status: 503,
  reason: 'busy',
  message: 'Too many logins being checked; try again in a moment',
  retryAfterSeconds: 1,
};

/**
 * PasswordLogin checks a user name and password under the gateway's one failed-login limiter and its one
 * bound on hash work (HashGate), for Basic authentication and the console alike: a blocked pair is refused
 * before any hash (429), a full gate counts no guess (503), an unknown user costs a hash too (timing does
 * not tell which names exist), and an empty password never signs in. A record changed while its check ran
 * is checked again, so a removed user or an old password never passes. Nothing is cached here.
 */
export class PasswordLogin implements PasswordCheck {
  constructor(
    private readonly users: UserDirectory,
    private readonly limiter: FailureLimiter,
    private readonly gate: HashGate,
    /** The replicas' shared counts (PostgreSQL), behind the local limiter. */
    private readonly shared?: SharedFailures,
  ) {}

  async check(
    remoteAddress: string,
    name: string,
    password: string,
    user = this.users.get(name),
  ): Promise<PasswordOutcome> {
    const blocked = this.limiter.blockedFor(remoteAddress, name);
    if (blocked > 0) return rateLimited(blocked);
    const familiar = this.limiter.isFamiliar(remoteAddress, name);
    // The place is taken before any await, so concurrent guesses meet the local limits.
    const attempt = this.limiter.attempt(remoteAddress, name);
    const shared = this.shared && (await this.shared.blockedFor(remoteAddress, name, familiar));
    if (shared) {
      this.limiter.release(attempt);
      return rateLimited(shared);
    }
    let found: UserRecord | undefined | typeof BUSY;
    try {
      found = await this.settled(name, password, user, familiar);
    } catch (e) {
      this.limiter.fail(attempt); // never leave an attempt open: it would hold its place for good
      throw e;
    }
    if (found === BUSY) {
      this.limiter.release(attempt); // the gateway was busy: no guess was made
      return BUSY_ANSWER;
    }
    if (!found || password === '') {
      this.limiter.fail(attempt);
      void this.shared?.fail(remoteAddress, name);
      return { ok: false, status: 401, reason: 'bad-credentials', message: 'Invalid username or password' };
    }
    this.limiter.succeed(attempt);
    void this.shared?.succeed(remoteAddress, name);
    return { ok: true, user: found };
  }

  /**
   * settled checks a password against the user's record until the record holds still (an admin may change
   * the password, the roles, or remove the user while a check runs): the record it passed, or undefined.
   */
  private async settled(
    name: string,
    password: string,
    user: UserRecord | undefined,
    familiar: boolean,
  ): Promise<UserRecord | undefined | typeof BUSY> {
    for (;;) {
      const ok = await this.gate.verify(password, user?.passwordHash, familiar);
      if (ok === BUSY) return BUSY;
      const now = this.users.get(name);
      if (now === user) return ok ? user : undefined;
      user = now;
    }
  }
}
