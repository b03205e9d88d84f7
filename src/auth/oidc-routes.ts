import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Logger } from '../observability/logger.js';
import { OidcClient } from './oidc-client.js';
import { AppError } from '../app-error.js';
import { page, trinoError } from './oidc-page.js';
import type { OidcService } from './oidc-service.js';
import { bindingCookie, type Purpose, type SignIn } from './oidc-sign-ins.js';
import { principalClaims, type TokenContent } from './oidc-token.js';
import { tokenPath } from './oidc-authenticator.js';

/** What finishing a console sign-in needs from the console (src/ui): refuse, or set the session cookie. */
export interface ConsoleSignIn {
  /** Keeps a post-sign-in target inside the console. */
  safeNext(next: string | undefined): string;
  /** Sets the console session cookie for an OIDC admin; a string is a refusal (status 403) to show. */
  signIn(c: Context, content: Omit<TokenContent, 'exp'>): string | undefined;
}

const CALLBACK = '/oidc/callback';

const usedUp = (c: Context) =>
  page(
    c,
    410,
    'Sign-in link used up',
    'This sign-in has finished or expired. Run your client again to get a new link.',
  );

/**
 * oidcRoutes serves sign-in under /oidc (clear of /oauth2/*, which belongs to the clusters):
 * - GET /oidc/token/initiate/{id}: Trino's x_redirect_server; sends the browser to the IdP;
 * - GET /oidc/token/{id}: Trino's x_token_server (pending → the token → gone); DELETE drops it;
 * - GET /oidc/callback: the IdP's redirect; checks state (once, this browser), trades the code with PKCE,
 *   verifies the ID token, then hands the client its token or the console its session;
 * - GET /oidc/console/login: the console's "sign in with SSO".
 * Browser steps answer readable pages, client steps Trino's error JSON; an IdP outage is a 503.
 */
export function oidcRoutes(s: OidcService, logger: Logger, consoleSignIn?: ConsoleSignIn): Hono {
  const app = new Hono();

  app.get('/oidc/token/initiate/:id', async (c) => {
    const key = s.exchange.verifyInitiate(c.req.param('id'));
    if (!key)
      return page(
        c,
        404,
        'Unknown sign-in link',
        'This gateway never issued this sign-in link. Run your client again to get a new one.',
      );
    if (!s.exchange.open(key)) return usedUp(c);
    return redirectToIdp(c, { kind: 'client', key });
  });

  app.get('/oidc/console/login', (c) => {
    if (!consoleSignIn) return page(c, 404, 'Not available', 'The console is not served by this gateway.');
    return redirectToIdp(c, { kind: 'console', next: consoleSignIn.safeNext(c.req.query('next')) });
  });

  app.get('/oidc/token/:id', async (c) => {
    const id = c.req.param('id');
    const answer = await s.exchange.poll(id);
    switch (answer.kind) {
      case 'unknown':
        return trinoError(c, 404, 'NOT_FOUND', 'This token server id was never issued by this gateway');
      case 'gone':
        return trinoError(
          c,
          410,
          'NOT_FOUND',
          'This sign-in was already delivered or deleted; authenticate again',
        );
      case 'token':
        return c.json({ token: answer.token }, 200, { 'cache-control': 'no-store' });
      case 'error':
        return c.json({ error: answer.error }, 200, { 'cache-control': 'no-store' });
      case 'pending':
        return c.json({ nextUri: `${s.publicUrl}${tokenPath(id)}` }, 200, { 'cache-control': 'no-store' });
    }
  });

  app.delete('/oidc/token/:id', (c) =>
    s.exchange.drop(c.req.param('id'))
      ? c.text('Authentication deleted')
      : trinoError(c, 404, 'NOT_FOUND', 'This token server id was never issued by this gateway'),
  );

  app.get(CALLBACK, async (c) => {
    const state = c.req.query('state');
    if (!state)
      return page(
        c,
        400,
        'Sign-in failed',
        'The identity provider sent no state. Start the sign-in again from your client.',
      );
    const cookie = bindingCookie(state);
    const taken = s.signIns.take(state, getCookie(c, cookie));
    if (taken === 'unknown')
      return page(
        c,
        400,
        'Sign-in failed',
        'This sign-in is unknown, expired or already finished (a link can be used once). Start again from your client.',
      );
    if (taken === 'other-browser')
      return page(
        c,
        400,
        'Sign-in failed',
        'This sign-in was started in another browser. Start again from your client in this browser.',
      );
    deleteCookie(c, cookie, { path: CALLBACK });
    return finish(c, taken);
  });

  async function redirectToIdp(c: Context, purpose: Purpose): Promise<Response> {
    const checks = OidcClient.newChecks();
    let url: URL;
    try {
      url = await s.client.authorizationUrl(checks);
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError(503, 'the identity provider cannot be reached');
      logger.warn({ reason: err.message }, 'oidc sign-in could not start');
      return page(
        c,
        err.status,
        'Identity provider unavailable',
        `Sign-in cannot start: ${err.message}. Try again later.`,
      );
    }
    const signIn = s.signIns.start(checks, purpose);
    setCookie(c, bindingCookie(checks.state), signIn.binding, {
      path: CALLBACK,
      httpOnly: true,
      sameSite: 'Lax',
      secure: s.publicUrl.startsWith('https:'),
      maxAge: Math.ceil((signIn.expires - Date.now()) / 1000),
    });
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return c.redirect(url.href, 303);
  }

  async function finish(c: Context, signIn: SignIn): Promise<Response> {
    // One sign-in per challenge: a second browser tab on the same link may not deliver a second token.
    if (signIn.purpose.kind === 'client' && !s.exchange.open(signIn.purpose.key)) return usedUp(c);
    const fail = (status: number, message: string) => {
      if (signIn.purpose.kind === 'client') s.exchange.fail(signIn.purpose.key, `Sign-in failed: ${message}`);
      logger.info({ status, reason: message, for: signIn.purpose.kind }, 'oidc sign-in refused');
      return page(
        c,
        status,
        status === 503 ? 'Identity provider unavailable' : 'Sign-in failed',
        `Sign-in failed: ${message}.`,
      );
    };
    const idpError = c.req.query('error');
    if (idpError)
      return fail(
        idpError === 'access_denied' ? 403 : 400,
        `the identity provider refused the sign-in (${idpError.replace(/[^\x21-\x7e]/g, '').slice(0, 64)})`,
      );
    let content: TokenContent;
    try {
      const r = await s.client.exchange(
        new URL(`${s.publicUrl}${CALLBACK}${new URL(c.req.url).search}`),
        signIn.checks,
      );
      const p = principalClaims(s.cfg, r.claims!);
      if (!p) return fail(400, `the ID token has no valid "${s.cfg.userClaim}" claim`);
      const refused = s.refusal(p.name);
      if (refused) return fail(403, refused);
      content = { ...p, refreshToken: r.refreshToken, exp: r.expiresAt };
    } catch (e) {
      return fail(
        e instanceof AppError ? e.status : 503,
        e instanceof AppError ? e.message : 'the identity provider cannot be reached',
      );
    }
    logger.info({ user: content.name, for: signIn.purpose.kind }, 'oidc sign-in');
    if (signIn.purpose.kind === 'console') {
      const refused = consoleSignIn!.signIn(c, content);
      if (refused) return page(c, 403, 'Administrators only', refused);
      return c.redirect(signIn.purpose.next, 303);
    }
    s.exchange.complete(signIn.purpose.key, await s.codec.seal(content));
    return page(
      c,
      200,
      'Signed in',
      `You are signed in as ${content.name}. You can close this window and return to your client.`,
    );
  }

  return app;
}
