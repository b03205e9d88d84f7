import { randomBytes } from 'node:crypto';
import { sameSecret } from './same-secret.js';
import type { Checks } from './oidc-client.js';
import type { ExchangeKey } from './oidc-exchange.js';

/** Sign-ins in progress at most; past that the oldest is forgotten (its callback then gets a 400). */
const MAX_SIGN_INS = 10_000;

/** Who a sign-in is for: a Trino client waiting at the token server, or the console. */
export type Purpose = { kind: 'client'; key: ExchangeKey } | { kind: 'console'; next: string };

/** One browser's sign-in between the redirect to the IdP and the callback. */
export interface SignIn {
  checks: Checks;
  purpose: Purpose;
  /** Random value also held in the browser's cookie: a callback from another browser is refused. */
  binding: string;
  expires: number;
}

/**
 * SignIns keeps each sign-in's state, nonce and PKCE verifier on the server, under its state, for one
 * callback only: a forged state is unknown, and a replayed one was already taken (both 400). Bounded in
 * count and time; the oldest go first.
 */
export class SignIns {
  private readonly byState = new Map<string, SignIn>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(checks: Checks, purpose: Purpose): SignIn {
    const now = this.now();
    for (const [state, s] of this.byState) {
      if (s.expires > now && this.byState.size < MAX_SIGN_INS) break;
      this.byState.delete(state);
    }
    const s: SignIn = {
      checks,
      purpose,
      binding: randomBytes(18).toString('base64url'),
      expires: now + this.ttlMs,
    };
    this.byState.set(checks.state, s);
    return s;
  }

  /** take removes and returns the sign-in of a state, if it exists, is unexpired and the binding matches. */
  take(state: string, binding: string | undefined): SignIn | 'unknown' | 'other-browser' {
    const s = state.length <= 128 ? this.byState.get(state) : undefined;
    if (!s || s.expires <= this.now()) return 'unknown';
    if (!sameSecret(binding ?? '', s.binding)) return 'other-browser';
    this.byState.delete(state);
    return s;
  }
}

/** The cookie that binds a sign-in to the browser that started it (one per sign-in, named by its state). */
export const bindingCookie = (state: string): string =>
  `sy_oidc_${state.slice(0, 12).replace(/[^A-Za-z0-9_-]/g, '')}`;
