import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthResult } from '../auth/authenticator.js';
import { readBody } from './request-body.js';
import { readCookie } from './request-parts.js';
import { escapeHtml, htmlPage } from './ui-pages.js';

/**
 * The gateway's own sign-in for Trino's web UI, for deployments whose browsers have no Basic credentials
 * (JWT-only, OIDC): the browser keeps a bearer token in an HttpOnly cookie limited to /ui, and the gateway
 * authenticates each /ui request with it as it authenticates `Authorization: Bearer` (the same checks,
 * expiry included). The token comes from the gateway's OIDC sign-in (/oidc/ui/login sets it) or is pasted
 * into the sign-in page (a JWT the gateway accepts; it is checked before the cookie is set). The cookie is
 * never sent to a cluster (cluster-cookies.ts passes a cluster only its own cookies).
 */
export const UI_TOKEN = 'switchyard_ui_token';
export const SIGN_IN_PATH = '/ui/_switchyard/login';
/** Asks the browser for its password (a Basic challenge) when single sign-on is offered first. */
export const PASSWORD_PATH = '/ui/_switchyard/password';
/** A pasted token and its form field: more than any JWT a gateway would take. */
const MAX_FORM = 16 * 1024;

/** tokenCookie is the Set-Cookie line that keeps (or, with maxAge 0, drops) the UI bearer token. */
export function tokenCookie(token: string, secure: boolean, prefix = '', maxAge?: number): string {
  const age = maxAge !== undefined ? `; Max-Age=${maxAge}` : '';
  return `${UI_TOKEN}=${token}; Path=${prefix}/ui; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}${age}`;
}

/**
 * useTokenCookie lets the UI token cookie stand for `Authorization: Bearer` when the request has no
 * Authorization of its own; returns whether it did (the header must then not reach a cluster).
 */
export function useTokenCookie(req: IncomingMessage): boolean {
  if (req.headers.authorization !== undefined) return false;
  const token = readCookie(req.headers.cookie, UI_TOKEN);
  if (!token || token.length > 8192 || !/^[A-Za-z0-9._~+/=-]+$/.test(token)) return false;
  req.headers.authorization = `Bearer ${token}`;
  return true;
}

export interface SignInPageOptions {
  /** The gateway's OIDC sign-in for the UI, when auth.oidc is configured. */
  oidcUrl?: string;
  /** The browser may answer a Basic challenge (auth.basic is enabled). */
  basic: boolean;
  /** Whether bearer tokens can be pasted (auth.jwt or auth.oidc). */
  tokens: boolean;
}

/** signInPage answers a browser that must sign in before the web UI: the ways this gateway offers. */
export function signInPage(
  res: ServerResponse,
  o: SignInPageOptions,
  status = 401,
  note?: string,
  challenge?: string,
): void {
  const ways: string[] = [];
  if (o.oidcUrl)
    ways.push(`<p><a id="sso" href="${escapeHtml(o.oidcUrl)}">Sign in with single sign-on</a></p>`);
  if (o.tokens)
    ways.push(
      `<form method="post" action="${SIGN_IN_PATH}"><p><label for="token">Or paste an access token (JWT):</label></p>` +
        `<textarea id="token" name="token" rows="4" autocomplete="off"></textarea>` +
        `<p><button type="submit">Sign in with the token</button></p></form>`,
    );
  if (o.basic && o.oidcUrl)
    ways.push(`<p><a id="password" href="${PASSWORD_PATH}">Or sign in with a password</a></p>`);
  else if (o.basic) ways.push('<p>Or reload this page and answer the browser’s password prompt.</p>');
  htmlPage(
    res,
    status,
    'Sign in to the Trino web UI',
    note ?? 'The clusters’ web UI is behind this gateway; sign in first.',
    ways.join(''),
    challenge ? { 'www-authenticate': challenge } : {},
  );
}

/**
 * tokenSignIn handles the pasted-token form: the token is authenticated as a bearer token would be; on
 * success the cookie is set and the browser goes to /ui/, else the page says why (never echoing the token).
 */
export async function tokenSignIn(
  req: IncomingMessage,
  res: ServerResponse,
  check: (authorization: string) => Promise<AuthResult>,
  o: SignInPageOptions & { secure: boolean; prefix: string },
): Promise<void> {
  const raw = await readBody(req, MAX_FORM).catch(() => undefined);
  const token = raw ? new URLSearchParams(raw.toString('utf8')).get('token')?.trim() : undefined;
  if (!token || !/^[A-Za-z0-9._~+/=-]{1,8192}$/.test(token))
    return signInPage(res, o, 400, 'That was not a token. Paste the whole access token, without “Bearer”.');
  const r = await check(`Bearer ${token}`);
  if (!r.ok) return signInPage(res, o, 401, `The gateway did not accept that token: ${r.message}`);
  res.writeHead(303, {
    location: `${o.prefix}/ui/`,
    'set-cookie': tokenCookie(token, o.secure, o.prefix),
    'cache-control': 'no-store',
  });
  res.end();
}
