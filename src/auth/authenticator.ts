import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from './principal.js';

export interface AuthRequest {
  headers: IncomingHttpHeaders;
  remoteAddress: string;
}

export type AuthFailure = {
  ok: false;
  /** 503: the gateway could not check now (password hashing saturated); clients retry a 503, as Trino's do. */
  status: 401 | 403 | 429 | 503;
  reason: string;
  message: string;
  challenge?: string;
  retryAfterSeconds?: number;
};

export type AuthResult = { ok: true; principal: Principal } | AuthFailure;

/**
 * A result now (a cached verification, a malformed header) or later (a password hash or a signature to
 * check). Callers may simply await it; the poll path takes a result that is already there without a
 * promise.
 */
export type AuthOutcome = AuthResult | Promise<AuthResult>;

/** The plug point: authenticate turns a request into a principal, or says why not. Never throws. */
export interface Authenticator {
  authenticate(req: AuthRequest): AuthOutcome;
}

export const unauthorized = (reason: string, message: string, challenge?: string): AuthFailure => ({
  ok: false,
  status: 401,
  reason,
  message,
  challenge,
});
