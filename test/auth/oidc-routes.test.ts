import http from 'node:http';
import { Writable } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcConfigSchema } from '../../src/auth/oidc-config.js';
import { oidcRoutes } from '../../src/auth/oidc-routes.js';
import { createOidc, type OidcService } from '../../src/auth/oidc-service.js';
import type { TokenContent } from '../../src/auth/oidc-token.js';
import { createLogger } from '../../src/observability/logger.js';
import { openBrowser, type Browser } from '../helpers/browser.js';
import { startIdp, type TestIdp } from '../helpers/oidc-provider.js';
import { freePort } from '../helpers/start-gateway.js';

const CLIENT_SECRET = 'the-client-secret-of-the-routes-0123456789';

/**
 * /oidc/* served on their own (no gateway around them) against a real OpenID provider, a real Chromium for
 * the browser steps and plain fetch for the client steps; the console's part is a recorder.
 */
describe('oidcRoutes', () => {
  let idp: TestIdp;
  let browser: Browser;
  let server: http.Server;
  let base: string;
  let s: OidcService;
  let logText = '';
  const consoleSignIns: Array<Omit<TokenContent, 'exp'>> = [];

  beforeAll(async () => {
    idp = await startIdp({
      users: [
        { sub: 'alice', groups: ['adhoc'], roles: ['user'] },
        { sub: 'root', roles: ['admin'] },
        { sub: 'carol', roles: ['admin'] },
      ],
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _e, cb) {
          logText += chunk.toString();
          cb();
        },
      }),
    });
    s = createOidc(
      oidcConfigSchema.parse({
        issuer: idp.issuer,
        clientId: 'gw',
        clientSecret: CLIENT_SECRET,
        requestTimeoutSeconds: 2,
      }),
      { publicUrl: base, secret: 'x'.repeat(48), logger, isPasswordUser: (n) => n === 'carol' },
    );
    s.exchange.pollWaitMs = 100;
    const app = oidcRoutes(s, logger, {
      safeNext: (next) => (next?.startsWith('/console') ? next : '/console'),
      signIn: (_c, content) => {
        if (!content.roles.includes('admin')) return 'only administrators may use the console';
        consoleSignIns.push(content);
        return undefined;
      },
    });
    server = http.createServer(getRequestListener(app.fetch));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    idp.addClient({ clientId: 'gw', clientSecret: CLIENT_SECRET, redirectUris: [`${base}/oidc/callback`] });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.stop();
    await new Promise((r) => server?.close(r));
  });

  /** signIn opens url in a fresh browser session and signs in at the provider's form; the page text after. */
  const signIn = async (url: string, user: string) => {
    const page = browser.page;
    await page.context().clearCookies();
    await page.goto(url);
    await page.fill('input[name=login]', user);
    await page.fill('input[name=password]', 'any password');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${base}/oidc/callback`)),
      page.click('button[type=submit]'),
    ]);
    await page.waitForLoadState();
    return {
      status: res.status(),
      location: res.headers()['location'],
      text: (await page.textContent('body')) ?? '',
    };
  };
  const poll = async (tokenId: string) => {
    const r = await fetch(`${base}/oidc/token/${tokenId}`);
    return {
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
      cache: r.headers.get('cache-control'),
    };
  };

  it('signs a client in: pending, the sealed token once, then gone', async () => {
    const { tokenId, initiateId } = s.exchange.issue();
    expect(await poll(tokenId)).toEqual({
      status: 200,
      body: { nextUri: `${base}/oidc/token/${tokenId}` },
      cache: 'no-store',
    });
    const done = await signIn(`${base}/oidc/token/initiate/${initiateId}`, 'alice');
    expect(done.status).toBe(200);
    expect(done.text).toContain('You are signed in as alice. You can close this window');
    const got = await poll(tokenId);
    expect(got.status).toBe(200);
    const token = got.body.token as string;
    expect(await s.codec.open(token)).toMatchObject({
      ok: true,
      content: { name: 'alice', groups: ['adhoc'] },
    });
    const gone = await poll(tokenId);
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ errorName: 'NOT_FOUND' });
    expect(logText).not.toContain(token);
    expect(logText).not.toContain(CLIENT_SECRET);
  });

  it('sends the browser to the provider with a binding cookie limited to the callback', async () => {
    const { initiateId } = s.exchange.issue();
    const r = await fetch(`${base}/oidc/token/initiate/${initiateId}`, { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toMatch(new RegExp(`^${idp.issuer}/`));
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^sy_oidc_[A-Za-z0-9_-]+=[A-Za-z0-9_-]+; Max-Age=\d+; Path=\/oidc\/callback; HttpOnly; SameSite=Lax$/,
    );
  });

  it('answers 404 pages and Trino errors for ids it never issued', async () => {
    const link = await fetch(`${base}/oidc/token/initiate/forged.id.x`);
    expect(link.status).toBe(404);
    expect(await link.text()).toContain('This gateway never issued this sign-in link');
    const t = await poll('forged.id.x');
    expect(t.status).toBe(404);
    expect(t.body).toMatchObject({
      errorName: 'NOT_FOUND',
      message: 'This token server id was never issued by this gateway',
    });
    const del = await fetch(`${base}/oidc/token/forged.id.x`, { method: 'DELETE' });
    expect(del.status).toBe(404);
  });

  it('lets the client delete a sign-in it no longer wants; the link is used up then', async () => {
    const { tokenId, initiateId } = s.exchange.issue();
    const del = await fetch(`${base}/oidc/token/${tokenId}`, { method: 'DELETE' });
    expect([del.status, await del.text()]).toEqual([200, 'Authentication deleted']);
    expect((await poll(tokenId)).status).toBe(410);
    const link = await fetch(`${base}/oidc/token/initiate/${initiateId}`, { redirect: 'manual' });
    expect(link.status).toBe(410);
    expect(await link.text()).toContain('This sign-in has finished or expired');
  });

  it('refuses a callback without state, with an unknown state, or in another browser', async () => {
    const none = await fetch(`${base}/oidc/callback?code=x`);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('The identity provider sent no state');
    const unknown = await fetch(`${base}/oidc/callback?code=x&state=nobody-knows`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('unknown, expired or already finished');
    const { initiateId } = s.exchange.issue();
    const start = await fetch(`${base}/oidc/token/initiate/${initiateId}`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const other = await fetch(`${base}/oidc/callback?code=x&state=${state}`); // no binding cookie
    expect(other.status).toBe(400);
    expect(await other.text()).toContain('started in another browser');
  });

  /** refusedAtIdp starts a client sign-in and brings the browser back with the provider's `error`. */
  const refusedAtIdp = async (error: string) => {
    const { tokenId, initiateId } = s.exchange.issue();
    const start = await fetch(`${base}/oidc/token/initiate/${initiateId}`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const r = await fetch(`${base}/oidc/callback?error=${encodeURIComponent(error)}&state=${state}`, {
      headers: { cookie },
    });
    return { status: r.status, html: await r.text(), polled: await poll(tokenId) };
  };

  it('tells the waiting client when the provider refused the person, and shows a 403 page', async () => {
    const r = await refusedAtIdp('access_denied');
    expect(r.status).toBe(403);
    expect(r.html).toContain('Sign-in failed: the identity provider refused the sign-in (access_denied).');
    expect(r.polled).toMatchObject({
      status: 200,
      body: { error: 'Sign-in failed: the identity provider refused the sign-in (access_denied)' },
    });
  });

  it('answers 400 for any other error of the provider, keeping only printable ASCII, 64 at most', async () => {
    const r = await refusedAtIdp(`server_error\r\n<b>${'x'.repeat(100)}`);
    expect(r.status).toBe(400);
    const shown = `server_error&#60;b&#62;${'x'.repeat(64 - '<b>'.length - 'server_error'.length)}`;
    expect(r.html).toContain(`the identity provider refused the sign-in (${shown})`);
    expect(r.polled.body.error).toBe(
      `Sign-in failed: the identity provider refused the sign-in (server_error<b>${'x'.repeat(49)})`,
    );
  });

  it('refuses an IdP user named like a password user', async () => {
    const { tokenId, initiateId } = s.exchange.issue();
    const done = await signIn(`${base}/oidc/token/initiate/${initiateId}`, 'carol');
    expect(done.status).toBe(403);
    expect(done.text).toContain('carol is also the name of a password user');
    expect((await poll(tokenId)).body.error).toMatch(/^Sign-in failed: carol is also the name/);
  });

  it('signs an admin into the console and lands on the page asked for, inside the console only', async () => {
    const done = await signIn(`${base}/oidc/console/login?next=/console/backends`, 'root');
    expect(done.status).toBe(303);
    expect(done.location).toBe('/console/backends');
    expect(consoleSignIns.at(-1)).toMatchObject({ name: 'root', roles: ['admin'] });
    const away = await signIn(`${base}/oidc/console/login?next=https://evil.example/`, 'root');
    expect(away.location).toBe('/console');
  });

  it('shows the console’s refusal of a non-admin as a 403 page', async () => {
    const n = consoleSignIns.length;
    const done = await signIn(`${base}/oidc/console/login`, 'alice');
    expect(done.status).toBe(403);
    expect(done.text).toContain('only administrators may use the console');
    expect(consoleSignIns.length).toBe(n);
  });

  it('gives Trino’s web UI the token in a cookie limited to /ui', async () => {
    const done = await signIn(`${base}/oidc/ui/login`, 'alice');
    expect(done.status).toBe(303);
    expect(done.location).toBe('/ui/');
    const cookies = await browser.page.context().cookies(`${base}/ui/`);
    const ui = cookies.find((c) => c.path === '/ui');
    expect(ui).toMatchObject({ httpOnly: true, secure: false, sameSite: 'Lax' });
    expect(await s.codec.open(ui!.value)).toMatchObject({ ok: true, content: { name: 'alice' } });
  });

  it('answers a 503 page, and logs why, when the provider cannot be reached to start a sign-in', async () => {
    const down = createOidc(
      oidcConfigSchema.parse({
        issuer: 'http://127.0.0.1:9',
        clientId: 'gw',
        clientSecret: CLIENT_SECRET,
        requestTimeoutSeconds: 1,
      }),
      { publicUrl: base, secret: 'x'.repeat(48), logger: createLogger({ level: 'silent' }) },
    );
    const app = oidcRoutes(down, createLogger({ level: 'silent' }));
    const r = await app.request('/oidc/ui/login');
    expect(r.status).toBe(503);
    const html = await r.text();
    expect(html).toContain('Identity provider unavailable');
    expect(html).toContain('Sign-in cannot start: the identity provider cannot be reached');
    expect(r.headers.get('set-cookie')).toBeNull();
    const noConsole = await app.request('/oidc/console/login');
    expect(noConsole.status).toBe(404);
    expect(await noConsole.text()).toContain('The console is not served by this gateway');
  });
});
