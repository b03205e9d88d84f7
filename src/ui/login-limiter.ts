import { FailureLimiter, type LockoutOptions } from '../auth/failure-limiter.js';

/** The protocol's defaults (auth.lockout), for a console the gateway passes no limiter of its own. */
const DEFAULTS: LockoutOptions = {
  maxFailures: 5,
  windowSeconds: 60,
  blockSeconds: 60,
  familiarSeconds: 86_400,
};

/**
 * consoleLoginLimiter is the console's failed-login limiter when the gateway passes none: the protocol's
 * FailureLimiter (pair, user-except-familiar-addresses and address-except-familiar-users rules), so a
 * stream of wrong passwords from rotating addresses never locks an admin out of the address it usually
 * signs in from. The gateway passes the one instance its protocol authentication uses, so a sign-in at
 * either place makes the address familiar to the user at both.
 */
export function consoleLoginLimiter(now: () => number = Date.now): FailureLimiter {
  return new FailureLimiter(DEFAULTS, now);
}
