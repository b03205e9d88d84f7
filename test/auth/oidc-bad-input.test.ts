import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_SECRET, signInAt, startWorld, type OidcWorld } from '../helpers/oidc-fixture.js';
import { obtainToken, parseChallenges } from '../helpers/oidc-trino-client.js';

const submit = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/statement`, {
    method: 'POST',
    body: 'SELECT 1',
    headers: { 'x-trino-user': 'x', ...headers },
  });

/** The two URLs of a fresh challenge. */
async function challenge(url: string): Promise<{ redirect: string; token: string }> {
  const h = (await submit(url)).headers.get('www-authenticate')!;
  const b = parseChallenges([h]).find((c) => c.params.x_token_server)!;
  return { redirect: b.params.x_redirect_server, token: b.params.x_token_server };
}

/** Trino's error JSON, as every client step answers. */
async function trinoError(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as { message: string; errorName: string; errorCode: number; errorType: string };
}

/** Bad input at every OIDC step: a clear 4xx (503 for the IdP), Trino's error JSON or a readable page. */
describe('OIDC bad input', () => {
  let w: OidcWorld;
  const codes: string[] = [];

  beforeAll(async () => {
    w = await startWorld();
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
  });

  it('answers 503 with a readable page while the IdP is slow, then down, and recovers when it is back', async () => {
    const page = w.browser.page;
    w.idp.setMode({ slowMs: 3000 });
    let res = await page.goto((await challenge(w.gw.url)).redirect);
    expect(res!.status()).toBe(503);
    expect(await page.textContent('h1')).toBe('Identity provider unavailable');
    w.idp.setMode('down');
    res = await page.goto((await challenge(w.gw.url)).redirect);
    expect(res!.status()).toBe(503);
    expect(await page.textContent('body')).toContain('cannot be reached');
    w.idp.setMode('up');
    expect(await signInAt(page, (await challenge(w.gw.url)).redirect, 'alice')).toContain(
      'signed in as alice',
    );
    codes.push(new URL(page.url()).searchParams.get('code')!);
  });

  it.each([
    ['drops the connection', { dropPath: '/token' }, 'cannot be reached'],
    ['answers 500 with no OAuth body', { dropPath: '/token', status: 500 }, 'identity provider failed'],
  ])(
    'answers 503 at the callback when the IdP %s as the code is traded, and tells the client',
    async (_n, mode, why) => {
      const page = w.browser.page;
      const c = await challenge(w.gw.url);
      w.idp.setMode(mode);
      try {
        await page.context().clearCookies();
        await page.goto(c.redirect);
        await page.fill('input[name=login]', 'alice');
        await page.fill('input[name=password]', 'x');
        const [res] = await Promise.all([
          page.waitForNavigation({ url: /oidc\/callback/ }),
          page.click('button[type=submit]'),
        ]);
        expect(res!.status()).toBe(503);
        expect(await page.textContent('h1')).toBe('Identity provider unavailable');
        codes.push(new URL(page.url()).searchParams.get('code')!);
      } finally {
        w.idp.setMode('up');
      }
      const poll = (await (await fetch(c.token)).json()) as { error?: string };
      expect(poll.error).toContain(why);
    },
  );

  it('refuses a forged state and a replayed one with 400 pages', async () => {
    const page = w.browser.page;
    let res = await page.goto(`${w.gw.url}/oidc/callback?code=abc&state=forged-state`);
    expect(res!.status()).toBe(400);
    expect(await page.textContent('h1')).toBe('Sign-in failed');
    expect(await page.textContent('body')).toContain('unknown, expired or already finished');
    // A real sign-in, then its callback URL once more.
    await signInAt(page, (await challenge(w.gw.url)).redirect, 'alice');
    const callback = page.url();
    codes.push(new URL(callback).searchParams.get('code')!);
    res = await page.goto(callback);
    expect(res!.status()).toBe(400);
    expect(await page.textContent('body')).toContain('already finished');
  });

  it('refuses a reused authorization code on a fresh state (the IdP says invalid_grant), and tells the client', async () => {
    const c = await challenge(w.gw.url);
    const start = await fetch(c.redirect, { redirect: 'manual' });
    expect(start.status).toBe(303);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const cookie = start.headers
      .getSetCookie()
      .map((s) => s.split(';')[0])
      .join('; ');
    const res = await fetch(
      `${w.gw.url}/oidc/callback?code=${encodeURIComponent(codes[0])}&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(w.idp.issuer)}`,
      { headers: { cookie } },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('invalid_grant');
    const poll = (await (await fetch(c.token)).json()) as { error?: string };
    expect(poll.error).toContain('invalid_grant');
  });

  it('refuses a callback that arrives in another browser than the one that started the sign-in', async () => {
    const c = await challenge(w.gw.url);
    const start = await fetch(c.redirect, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const res = await fetch(`${w.gw.url}/oidc/callback?code=x&state=${encodeURIComponent(state)}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('started in another browser');
  });

  it('answers 404 in Trino’s error JSON for a token-server id it never issued, and a page for such a link', async () => {
    const real = (await challenge(w.gw.url)).token;
    const tampered = real.slice(0, -3) + (real.endsWith('A') ? 'BBB' : 'AAA');
    for (const url of [`${w.gw.url}/oidc/token/never-issued`, tampered]) {
      const res = await fetch(url);
      expect(res.status).toBe(404);
      expect(await trinoError(res)).toMatchObject({ errorName: 'NOT_FOUND', errorType: 'USER_ERROR' });
      expect((await fetch(url, { method: 'DELETE' })).status).toBe(404);
    }
    const link = await fetch(`${w.gw.url}/oidc/token/initiate/not-a-link`);
    expect(link.status).toBe(404);
    expect(await link.text()).toContain('never issued this sign-in link');
  });

  it('tells a waiting client when the person is refused at the IdP (the IdP’s error on the callback)', async () => {
    const c = await challenge(w.gw.url);
    const start = await fetch(c.redirect, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const cookie = start.headers
      .getSetCookie()
      .map((s) => s.split(';')[0])
      .join('; ');
    const res = await fetch(
      `${w.gw.url}/oidc/callback?error=access_denied&state=${encodeURIComponent(state)}`,
      {
        headers: { cookie },
      },
    );
    expect(res.status).toBe(403);
    expect(((await (await fetch(c.token)).json()) as { error: string }).error).toContain('access_denied');
  });

  it.each([
    ['expired', { expiresIn: -120 }, 'jwt_expired'],
    ['wrong-audience', { audience: 'another-client' }, 'jwt_claim_validation_failed'],
    ['wrong-issuer', { issuer: 'https://idp.example.com' }, 'jwt_claim_validation_failed'],
  ])('refuses an %s bearer token with 401, Trino’s error JSON and a fresh challenge', async (_n, o, code) => {
    const res = await submit(w.gw.url, { authorization: `Bearer ${await w.idp.sign({ sub: 'alice' }, o)}` });
    expect(res.status).toBe(401);
    expect(await trinoError(res)).toMatchObject({
      errorName: 'AUTHENTICATION_FAILED',
      message: `Invalid bearer token (${code})`,
    });
    expect(res.headers.get('www-authenticate')).toContain('x_token_server=');
  });

  it('accepts a bearer JWT the issuer signed for this client, verified against its JWKS', async () => {
    const token = await w.idp.sign({ sub: 'alice', groups: ['adhoc'] });
    const res = await submit(w.gw.url, { authorization: `Bearer ${token}`, 'x-trino-user': 'alice' });
    expect(res.status).toBe(200);
    // The principal decides the user: naming someone else is impersonation, which alice may not do.
    const other = await submit(w.gw.url, { authorization: `Bearer ${token}`, 'x-trino-user': 'mallory' });
    expect(other.status).toBe(403);
  });

  it('refuses an IdP user named like a password user, at sign-in and as a bearer JWT (one name, one person)', async () => {
    const c = await challenge(w.gw.url);
    expect(await signInAt(w.browser.page, c.redirect, 'carol')).toContain(
      'carol is also the name of a password user',
    );
    codes.push(new URL(w.browser.page.url()).searchParams.get('code')!);
    expect(((await (await fetch(c.token)).json()) as { error: string }).error).toContain('password user');
    const jwt = await w.idp.sign({ sub: 'carol', roles: ['admin'] });
    const res = await submit(w.gw.url, { authorization: `Bearer ${jwt}`, 'x-trino-user': 'carol' });
    expect(res.status).toBe(401);
    expect((await trinoError(res)).message).toContain('carol is also the name of a password user');
  });

  it('refuses a gateway token that was altered', async () => {
    let token = '';
    let signedIn: Promise<string> | undefined;
    token = (await obtainToken(await submit(w.gw.url), {
      redirectTo: (url) => (signedIn = signInAt(w.browser.page, url, 'alice')),
    }))!;
    await signedIn;
    codes.push(new URL(w.browser.page.url()).searchParams.get('code')!);
    const parts = token.split('.');
    parts[3] = parts[3].slice(0, -2) + (parts[3].endsWith('AA') ? 'BB' : 'AA');
    const res = await submit(w.gw.url, { authorization: `Bearer ${parts.join('.')}` });
    expect(res.status).toBe(401);
    expect((await trinoError(res)).message).toMatch(/^Invalid bearer token/);
    expect(w.gw.logs()).not.toContain(token);
  });

  it('never logged a code, a token or the client secret through all of this', () => {
    const logs = w.gw.logs();
    expect(codes.length).toBeGreaterThanOrEqual(3);
    for (const code of codes) expect(logs).not.toContain(code);
    expect(logs).not.toContain(CLIENT_SECRET);
    expect(logs).toContain('oidc sign-in refused');
  });
});
