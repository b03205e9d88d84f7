/**
 * A cluster's own OAuth2 (http-server.authentication.type=OAUTH2, and web-ui.authentication.type=oauth2),
 * as Trino's OAuth2Service, OAuth2Authenticator, OAuth2TokenExchange(Resource), OAuth2CallbackResource and
 * OAuth2WebUiAuthenticationFilter do it, against a real OpenID provider:
 * - a request without a valid token gets `Bearer x_redirect_server="{base}/oauth2/token/initiate/{sha256(authId)}",
 *   x_token_server="{base}/oauth2/token/{authId}"` (a fresh UUID per 401);
 * - the initiate link answers 303 to the provider's authorization endpoint, with a state JWT (HS256, audience
 *   trino_oauth_ui, claim handler_state = the hash, 15 minutes) and a nonce kept in `__Secure-Trino-Nonce`
 *   (Path=/oauth2/callback); no PKCE, as Trino's client sends none;
 * - GET /oauth2/callback checks the state, exchanges the code (client_secret_basic, the same redirect_uri), and
 *   either hands the access token to the token exchange (200 success page) or, for the web UI, sets
 *   `__Secure-Trino-OAuth2-Token` (Path=/ui/) and answers 303 to /ui/;
 * - GET /oauth2/token/{authId} long-polls: `{"nextUri": its own URL}` while pending, then `{"token"}` or
 *   `{"error"}`; an id it never issued just stays pending (Trino's cache makes an entry for any UUID);
 *   DELETE drops it ("Authentication deleted");
 * - tokens are the provider's access tokens, checked at its userinfo endpoint (opaque tokens) or JWKS (JWTs).
 * Every URL is built from the request's base URI (forwarded headers count only when processed).
 */
import type http from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, createRemoteJWKSet } from 'jose';
import type { RequestView } from './gate.js';
import { text } from './http-util.js';

export interface OAuth2Options {
  /** http-server.authentication.oauth2.issuer: found by OIDC discovery. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** OAuth2TokenExchange.MAX_POLL_TIME (10 s in Trino); tests shorten it. */
  pollWaitMs?: number;
}

interface Poll {
  token?: string;
  error?: string;
  waiters: Array<() => void>;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
}

const STATE_AUDIENCE = 'trino_oauth_ui';
const NONCE_COOKIE = '__Secure-Trino-Nonce';
export const UI_TOKEN_COOKIE = '__Secure-Trino-OAuth2-Token';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class ClusterOAuth2 {
  private readonly stateKey = randomBytes(32);
  private readonly polls = new Map<string, Poll>();
  private readonly users = new Map<string, string>();
  private discovery: Promise<Discovery> | undefined;

  constructor(private readonly o: OAuth2Options) {}

  /** challenge is OAuth2Authenticator.needAuthentication's header value. */
  challenge(base: string): string {
    const authId = randomUUID();
    return `Bearer x_redirect_server="${base}/oauth2/token/initiate/${sha256(authId)}", x_token_server="${base}/oauth2/token/${authId}"`;
  }

  /** user is the principal (`sub`) of a token the provider vouches for, else undefined. */
  async user(token: string | undefined): Promise<string | undefined> {
    if (!token) return undefined;
    const hit = this.users.get(token);
    if (hit) return hit;
    const d = await this.discover();
    let sub: string | undefined;
    if (token.split('.').length === 3) {
      const jwks = createRemoteJWKSet(new URL(d.jwks_uri));
      sub = await jwtVerify(token, jwks, { issuer: this.o.issuer, audience: this.o.clientId }).then(
        (r) => r.payload.sub,
        () => undefined,
      );
    } else {
      const r = await fetch(d.userinfo_endpoint, { headers: { authorization: `Bearer ${token}` } });
      sub = r.ok ? ((await r.json()) as { sub?: string }).sub : undefined;
    }
    if (sub) this.users.set(token, sub);
    return sub;
  }

  /** start is OAuth2Service.startOAuth2Challenge: 303 to the provider, the nonce in its cookie. */
  async start(res: http.ServerResponse, v: RequestView, handlerState: string | undefined): Promise<void> {
    const d = await this.discover();
    const state = await new SignJWT(handlerState ? { handler_state: handlerState } : {})
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(STATE_AUDIENCE)
      .setExpirationTime('15m')
      .sign(this.stateKey);
    const nonce = randomBytes(16).toString('base64url');
    const u = new URL(d.authorization_endpoint);
    u.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.o.clientId,
      redirect_uri: `${v.base}/oauth2/callback`,
      scope: 'openid',
      state,
      nonce: sha256(nonce),
    }).toString();
    res
      .writeHead(303, {
        location: u.href,
        'set-cookie': `${NONCE_COOKIE}=${nonce}; Path=/oauth2/callback; Max-Age=900; Secure; HttpOnly`,
      })
      .end();
  }

  /** callback is OAuth2CallbackResource + finishOAuth2Challenge. */
  async callback(req: http.IncomingMessage, res: http.ServerResponse, v: RequestView): Promise<void> {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const clearNonce = `${NONCE_COOKIE}=delete; Path=/oauth2/callback; Max-Age=0; Secure; HttpOnly`;
    let handler: string | undefined;
    try {
      const { payload } = await jwtVerify(q.get('state') ?? '', this.stateKey, { audience: STATE_AUDIENCE });
      handler = typeof payload.handler_state === 'string' ? payload.handler_state : undefined;
    } catch {
      return failure(res, 400, clearNonce);
    }
    const token = await this.exchange(q.get('code') ?? '', `${v.base}/oauth2/callback`);
    if (!token) {
      if (handler) this.settle(handler, { error: 'Authentication response could not be verified' });
      return failure(res, 400, clearNonce);
    }
    if (!handler) {
      res
        .writeHead(303, {
          location: '/ui/',
          'set-cookie': [`${UI_TOKEN_COOKIE}=${token}; Path=/ui/; Secure; HttpOnly`, clearNonce],
        })
        .end();
      return;
    }
    this.settle(handler, { token });
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': clearNonce });
    res.end(
      '<!doctype html><title>Trino</title><p>OAuth2 authentication succeeded. You can close this window.',
    );
  }

  /** poll is OAuth2TokenExchangeResource.getAuthenticationToken (GET) and deleteAuthenticationToken (DELETE). */
  async poll(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    v: RequestView,
    authId: string,
  ): Promise<void> {
    const hash = sha256(authId);
    if (req.method === 'DELETE') {
      this.settle(hash, { error: 'Token dropped' });
      return text(res, 200, 'Authentication deleted');
    }
    const p = this.entry(hash);
    if (p.token === undefined && p.error === undefined)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.pollWaitMs ?? 10_000);
        p.waiters.push(() => (clearTimeout(t), resolve()));
      });
    const doc =
      p.error !== undefined
        ? { error: p.error }
        : p.token !== undefined
          ? { token: p.token }
          : { nextUri: `${v.base}${(req.url ?? '').split('?')[0]}` };
    const b = JSON.stringify(doc);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) }).end(b);
  }

  private entry(hash: string): Poll {
    let p = this.polls.get(hash);
    if (!p) this.polls.set(hash, (p = { waiters: [] }));
    return p;
  }

  private settle(hash: string, r: { token?: string; error?: string }): void {
    const p = this.entry(hash);
    Object.assign(p, r);
    for (const w of p.waiters.splice(0)) w();
  }

  private async exchange(code: string, redirectUri: string): Promise<string | undefined> {
    const d = await this.discover();
    const r = await fetch(d.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${this.o.clientId}:${this.o.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    });
    if (!r.ok) return undefined;
    return ((await r.json()) as { access_token?: string }).access_token;
  }

  private discover(): Promise<Discovery> {
    // A failed discovery is tried again on the next request (Trino retries its discovery too).
    this.discovery ??= fetch(`${this.o.issuer}/.well-known/openid-configuration`)
      .then((r) => r.json() as Promise<Discovery>)
      .catch((e: unknown) => {
        this.discovery = undefined;
        throw e;
      });
    return this.discovery;
  }
}

function failure(res: http.ServerResponse, status: number, cookie: string): void {
  res.writeHead(status, { 'content-type': 'text/html', 'set-cookie': cookie });
  res.end('<!doctype html><title>Trino</title><p>Authentication response could not be verified');
}
