import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcConfigSchema } from '../../src/auth/oidc-config.js';
import { startWorld, type OidcWorld } from '../helpers/oidc-fixture.js';

/** The console signs in with the same OIDC next to passwords, in Chromium; roles come from the claims. */
describe('OIDC sign-in to the console', () => {
  let w: OidcWorld;

  beforeAll(async () => {
    w = await startWorld();
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
  });

  const signIn = async (user: string) => {
    const page = w.browser.page;
    await page.context().clearCookies();
    await page.goto(`${w.gw.url}/console/backends`);
    await page.click('text=Sign in with single sign-on');
    await page.fill('input[name=login]', user);
    await page.fill('input[name=password]', 'any password');
    const [res] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    return { page, status: res?.status() };
  };

  it('offers single sign-on next to the password form, and lands an admin on the page asked for', async () => {
    const { page } = await signIn('root');
    expect(new URL(page.url()).pathname).toBe('/console/backends');
    expect(await page.textContent('body')).toContain('trino-adhoc');
    expect(await page.textContent('body')).toContain('root');
    // Sessions and CSRF work as for password users: a form with this session's token changes state.
    const csrf = await page.getAttribute('input[name=_csrf]', 'value');
    expect(csrf).toBeTruthy();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'sy_console')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    const forged = await fetch(`${w.gw.url}/console/logout`, {
      method: 'POST',
      headers: { cookie: `sy_console=${session.value}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=forged',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    await page.click('button:has-text("Sign out")');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    const after = await fetch(`${w.gw.url}/console`, {
      headers: { cookie: `sy_console=${session.value}` },
      redirect: 'manual',
    });
    expect(after.status).toBe(303);
  });

  it('refuses a user whose roles claim lacks admin, with a readable page and no session', async () => {
    const { page, status } = await signIn('bob');
    expect(status).toBe(403);
    expect(await page.textContent('h1')).toBe('Administrators only');
    expect(await page.textContent('body')).toContain(
      'bob signed in correctly but does not have the admin role',
    );
    expect((await page.context().cookies()).some((c) => c.name === 'sy_console')).toBe(false);
  });

  it('keeps password sign-in working beside it', async () => {
    const page = w.browser.page;
    await page.context().clearCookies();
    await page.goto(`${w.gw.url}/console/login`);
    await page.fill('input[name=user]', 'carol');
    await page.fill('input[name=password]', 'carol-pw');
    await Promise.all([page.waitForURL(`${w.gw.url}/console`), page.click('button:has-text("Sign in")')]);
    expect(await page.textContent('body')).toContain('carol');
  });

  it('does not let an OIDC user stand for a password user of the same name', async () => {
    const { page, status } = await signIn('carol');
    expect(status).toBe(403);
    expect(await page.textContent('body')).toContain('carol is also the name of a password user');
    expect((await page.context().cookies()).some((c) => c.name === 'sy_console')).toBe(false);
  });
});

const SECRET = 'a-test-secret-of-enough-length';
const base = { issuer: 'https://idp.example.com', clientId: 'switchyard', clientSecret: 's' };

describe('the console’s OIDC sessions', () => {
  it('marks the session cookie Secure when the public URL is https, even if the callback came over http', async () => {
    const { Hono } = await import('hono');
    const { oidcConsole } = await import('../../src/auth/oidc-console.js');
    const cookieOf = async (secureCookies?: boolean) => {
      const sso = oidcConsole(oidcConfigSchema.parse(base), {
        sessionSecret: SECRET,
        isPasswordUser: () => false,
        secureCookies,
      });
      const app = new Hono().get('/x', (c) =>
        c.text(sso.signIn.signIn(c, { name: 'root', groups: [], roles: ['admin'] }) ?? 'ok'),
      );
      return (await app.request('http://gw/x')).headers.get('set-cookie') ?? '';
    };
    expect(await cookieOf(true)).toMatch(/; Secure/);
    expect(await cookieOf(undefined)).not.toMatch(/; Secure/);
  });
});
