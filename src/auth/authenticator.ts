import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from './principal.js';

export interface AuthRequest {
  headers: IncomingHttpHeaders;
  remoteAddress: string;
}

export type AuthFailure = {
  ok: false;
  status: 401 | 403 | 429;
  reason: string;
  message: string;
  challenge?: string;
  retryAfterSeconds?: number;
};

export type AuthResult = { ok: true; principal: Principal } | AuthFailure;

/** The plug point: authenticate turns a request into a principal, or says why not. Never throws. */
export interface Authenticator {
  authenticate(req: AuthRequest): Promise<AuthResult>;
}

export const unauthorized = (reason: string, message: string, challenge?: string): AuthFailure => ({
  ok: false,
  status: 401,
  reason,
  message,
  challenge,
});
