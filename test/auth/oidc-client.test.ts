import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { OidcClient, type Checks } from '../../src/auth/oidc-client.js';
import { oidcConfigSchema } from '../../src/auth/oidc-config.js';
import { openBrowser, type Browser } from '../helpers/browser.js';
import { startIdp, type TestIdp } from '../helpers/oidc-provider.js';

const SECRET = 'the-client-secret-of-the-relying-party-0123';

/**
 * The relying party against a real OpenID provider (npm oidc-provider); a real Chromium signs in through
 * the provider's login form, and a small server stands in for the gateway's callback.
 */
describe('OidcClient', () => {
  let idp: TestIdp;
  let browser: Browser;
  let callback: http.Server;
  let redirectUri: string;
  let lastCallback: string | undefined;
  const client = (o: Record<string, unknown> = {}) =>
    new OidcClient(
      oidcConfigSchema.parse({
        issuer: idp.issuer,
        clientId: 'rp',
        clientSecret: SECRET,
        requestTimeoutSeconds: 2,
        ...o,
      }),
      redirectUri,
    );
  /** signIn drives the browser through the provider's login form and returns the callback URL it reached. */
  const signIn = async (url: URL, user: string): Promise<URL> => {
    lastCallback = undefined;
    const page = browser.page;
    await page.context().clearCookies();
    await page.goto(url.href);
    await page.fill('input[name=login]', user);
    await page.fill('input[name=password]', 'any password');
    await Promise.all([page.waitForURL(/\/callback/), page.click('button[type=submit]')]);
    return new URL(lastCallback!, redirectUri);
  };
  const refusal = async (p: Promise<unknown>): Promise<{ status: number; message: string }> => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(AppError);
    return { status: (e as AppError).status, message: (e as AppError).message };
  };

  beforeAll(async () => {
    callback = http.createServer((req, res) => {
      if (req.url?.startsWith('/callback?')) lastCallback = req.url; // not the browser's /favicon.ico
      res.end('called back');
    });
    await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
    redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    idp = await startIdp({ users: [{ sub: 'alice', groups: ['adhoc'], roles: ['user'] }] });
    idp.addClient({ clientId: 'rp', clientSecret: SECRET, redirectUris: [redirectUri] });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.stop();
    await new Promise((r) => callback?.close(r));
  });

  it('discovers the issuer once, then answers from what it kept', async () => {
    const c = client();
    const before = idp.paths.filter((p) => p === '/.well-known/openid-configuration').length;
    expect(await c.issuer()).toBe(idp.issuer);
    expect(await c.jwksUri()).toMatch(new RegExp(`^${idp.issuer}/`));
    expect(idp.paths.filter((p) => p === '/.well-known/openid-configuration').length - before).toBe(1);
  });

  it('answers 503 while the provider is down, and discovers again once it is back', async () => {
    const c = client();
    idp.setMode('down');
    try {
      const r = await refusal(c.discover());
      expect(r.status).toBe(503);
      expect(r.message).toMatch(/^the identity provider cannot be reached \(discovery failed: [a-z_]+\)$/);
    } finally {
      idp.setMode('up');
    }
    expect(await c.issuer()).toBe(idp.issuer);
  });

  it('builds the authorization URL with PKCE S256, state, nonce, scopes and the redirect URI', async () => {
    const checks = OidcClient.newChecks();
    const u = await client({ scopes: ['openid', 'groups'] }).authorizationUrl(checks);
    expect(u.origin).toBe(idp.issuer);
    const q = Object.fromEntries(u.searchParams);
    expect(q).toMatchObject({
      client_id: 'rp',
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid groups',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge_method: 'S256',
    });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.code_challenge).not.toBe(checks.verifier);
  });

  it('makes fresh checks each time', () => {
    const a = OidcClient.newChecks();
    const b = OidcClient.newChecks();
    expect([a.state === b.state, a.nonce === b.nonce, a.verifier === b.verifier]).toEqual([
      false,
      false,
      false,
    ]);
    expect(a.verifier.length).toBeGreaterThanOrEqual(43);
  });

  describe('a sign-in', () => {
    let checks: Checks;
    let back: URL;
    let refreshToken: string | undefined;
    const c = () => client({ scopes: ['openid', 'offline_access'] });

    beforeAll(async () => {
      checks = OidcClient.newChecks();
      back = await signIn(await c().authorizationUrl(checks), 'alice');
    });

    it('refuses a callback whose state is not the one sent (400, did not verify)', async () => {
      const r = await refusal(c().exchange(back, { ...checks, state: 'forged' }));
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/^the sign-in response did not verify \(oauth_[a-z_]+\)$/);
    });

    it('trades the code for verified claims, a refresh token and an expiry', async () => {
      const now = Math.floor(Date.now() / 1000);
      const g = await c().exchange(back, checks);
      expect(g.claims).toMatchObject({ sub: 'alice', iss: idp.issuer, aud: 'rp', nonce: checks.nonce });
      expect(g.expiresAt).toBeGreaterThan(now + 3000); // the provider's access tokens live an hour
      expect(g.expiresAt).toBeLessThanOrEqual(now + 3601 + 5);
      expect(g.refreshToken).toBeTruthy();
      refreshToken = g.refreshToken;
    });

    it('refreshes with the refresh token, and refuses a made-up one', async () => {
      expect(refreshToken).toBeTruthy();
      const g = await c().refresh(refreshToken!);
      expect(g.expiresAt).toBeGreaterThan(Math.floor(Date.now() / 1000));
      const r = await refusal(c().refresh('not-a-refresh-token'));
      expect(r).toEqual({ status: 400, message: 'the identity provider refused the grant (invalid_grant)' });
    });

    it('refuses the same code a second time with the provider’s error code, never its text (after the refresh: a replayed code revokes the grant)', async () => {
      const r = await refusal(c().exchange(back, checks));
      expect(r).toEqual({ status: 400, message: 'the identity provider refused the grant (invalid_grant)' });
    });
  });

  it('reports an error the provider put on the callback as a refused sign-in', async () => {
    const checks = OidcClient.newChecks();
    const u = new URL(redirectUri);
    u.searchParams.set('error', 'access_denied');
    u.searchParams.set('error_description', 'secret detail <script>');
    u.searchParams.set('state', checks.state);
    u.searchParams.set('iss', idp.issuer);
    const r = await refusal(client().exchange(u, checks));
    expect(r).toEqual({ status: 400, message: 'the identity provider refused the sign-in (access_denied)' });
  });

  it('answers 503 when the token endpoint fails with a 5xx page', async () => {
    const c = client();
    await c.discover();
    idp.setMode({ dropPath: '/token', status: 502 });
    try {
      const r = await refusal(c.refresh('anything'));
      expect(r.status).toBe(503);
      expect(r.message).toMatch(/^the identity provider failed/);
      expect(r.message).not.toContain('oops');
    } finally {
      idp.setMode('up');
    }
  });

  it('answers 503 when the token endpoint drops the connection', async () => {
    const c = client();
    await c.discover();
    idp.setMode({ dropPath: '/token' });
    try {
      const r = await refusal(c.refresh('anything'));
      expect(r.status).toBe(503);
      expect(r.message).toMatch(/^the identity provider cannot be reached \([a-z_]+\)$/);
    } finally {
      idp.setMode('up');
    }
  });
});
