import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { Client, consoleFixture, fixturePasswords, token, USERS } from '../helpers/console-fixture.js';

describe('console sign-in', () => {
  it('sends a visitor without a session to the sign-in page, remembering where they were going', async () => {
    const { app } = consoleFixture();
    const res = await new Client(app).get('/console/queries?user=bob');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(
      `/console/login?next=${encodeURIComponent('/console/queries?user=bob')}`,
    );
  });

  it('signs an admin in with an HTTP-only, SameSite=Strict session cookie scoped to /console, then back where they were going', async () => {
    const { app } = consoleFixture();
    const client = new Client(app);
    const res = await client.login('root', 's3cret', '/console/backends');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/backends');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sy_console='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/console/);
    expect(cookie).toMatch(/Max-Age=28800/);
    const page = await client.get('/console');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Dashboard');
  });

  it('never redirects outside the console after sign-in', async () => {
    const { app } = consoleFixture();
    for (const next of [
      'https://evil.example/',
      '//evil.example/console',
      '/console\\@evil',
      '/api/v1/queries',
    ]) {
      const res = await new Client(app).login('root', 's3cret', next);
      expect(res.headers.get('location')).toBe('/console');
    }
  });

  it.each([
    ['a wrong password', 'root', 'nope'],
    ['an unknown user', 'mallory', 's3cret'],
    ['an empty password', 'root', ''],
  ])('refuses %s with 401 and the same message, setting no session', async (_, user, password) => {
    const { app } = consoleFixture();
    const client = new Client(app);
    const res = await client.login(user, password);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Wrong user name or password.');
    expect(client.cookies.has('sy_console')).toBe(false);
  });

  it('tells a non-admin plainly that the console is for administrators (403) and gives no session', async () => {
    const { app } = consoleFixture();
    const client = new Client(app);
    const res = await client.login('bob', 'hunter2');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('does not have the admin role');
    expect(client.cookies.has('sy_console')).toBe(false);
  });

  it('answers 403 to a session whose user has since lost the admin role', async () => {
    const { app, users } = consoleFixture();
    const client = new Client(app);
    await client.login('root', 's3cret');
    users.set('root', { ...users.get('root')!, roles: ['user'] });
    const res = await client.get('/console');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('does not have the admin role');
  });

  it('ends sessions issued before a password change', async () => {
    const { app, users } = consoleFixture();
    const client = new Client(app);
    await client.login('root', 's3cret');
    users.set('root', { ...users.get('root')!, passwordHash: 'plain:new' });
    expect((await client.get('/console')).status).toBe(303);
  });

  it('refuses a sign-in form posted without its login token (login CSRF)', async () => {
    const { app } = consoleFixture();
    const client = new Client(app);
    await client.get('/console/login');
    const res = await client.post('/console/login', { user: 'root', password: 's3cret', _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(client.cookies.has('sy_console')).toBe(false);
  });

  it('limits failed sign-ins: after the free attempts even the right password waits (429 with Retry-After)', async () => {
    let now = 1_000_000;
    const { app } = consoleFixture({
      now: () => now,
      passwords: fixturePasswords(
        { get: (n) => USERS[n] },
        new FailureLimiter({ maxFailures: 4, windowSeconds: 60, blockSeconds: 5 }, () => now),
      ),
    });
    const client = new Client(app);
    for (let i = 0; i < 4; i++) expect((await client.login('root', 'wrong')).status).toBe(401);
    const limited = await client.login('root', 's3cret');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many failed sign-ins');
    now += 5_001;
    expect((await client.login('root', 's3cret')).status).toBe(303);
  });

  it('signs out: the cookie goes and the old session value no longer works', async () => {
    const { app } = consoleFixture();
    const client = new Client(app);
    await client.login('root', 's3cret');
    const stolen = client.cookies.get('sy_console')!;
    const res = await client.post('/console/logout', { _csrf: await client.csrf() });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/login');
    expect(client.cookies.has('sy_console')).toBe(false);
    const replay = await app.request('/console', { headers: { cookie: `sy_console=${stolen}` } });
    expect(replay.status).toBe(303);
  });

  it('expires sessions after their lifetime', async () => {
    let now = 1_000_000;
    const { app } = consoleFixture({ now: () => now, sessionTtlMs: 60_000 });
    const client = new Client(app);
    await client.login('root', 's3cret');
    expect((await client.get('/console')).status).toBe(200);
    now += 61_000;
    expect((await client.get('/console')).status).toBe(303);
  });
});

describe('forged cookies and cross-site requests', () => {
  it.each([
    ['garbage', 'garbage'],
    [
      'an unsigned payload',
      `${Buffer.from(JSON.stringify({ sid: 'x', user: 'root', pwd: 'x', exp: 9e15 })).toString('base64url')}.AAAA`,
    ],
    ['a huge value', 'x'.repeat(5000)],
  ])('redirects %s to sign-in and clears it', async (_, value) => {
    const { app } = consoleFixture();
    const res = await app.request('/console/backends', { headers: { cookie: `sy_console=${value}` } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/console\/login/);
    expect(res.headers.getSetCookie().join()).toMatch(/sy_console=;/);
  });

  it('redirects a session cookie whose payload was altered (user swapped) to sign-in', async () => {
    const { app } = consoleFixture();
    const client = new Client(app);
    await client.login('root', 's3cret');
    const [payload, mac] = client.cookies.get('sy_console')!.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1e9 })).toString('base64url');
    const res = await app.request('/console', { headers: { cookie: `sy_console=${altered}.${mac}` } });
    expect(res.status).toBe(303);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { _csrf: 'AAAA' }],
  ])('refuses a POST with %s (403) and changes nothing', async (_, form) => {
    const { app, registry } = consoleFixture();
    const client = new Client(app);
    await client.login('root', 's3cret');
    const res = await client.post('/console/backends/trino-1/deactivate', form);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('did not carry a valid token');
    expect(registry.get('trino-1')!.active).toBe(true);
  });

  it("refuses another session's token", async () => {
    const { app, registry } = consoleFixture();
    const alice = new Client(app);
    const mallory = new Client(app);
    await alice.login('root', 's3cret');
    await mallory.login('root', 's3cret');
    const res = await alice.post('/console/backends/trino-1/deactivate', { _csrf: await mallory.csrf() });
    expect(res.status).toBe(403);
    expect(registry.get('trino-1')!.active).toBe(true);
  });

  it('refuses a POST the browser marks cross-site, even with a valid token', async () => {
    const { app } = consoleFixture();
    const client = new Client(app);
    await client.login('root', 's3cret');
    const _csrf = await client.csrf();
    const res = await client.post(
      '/console/backends/trino-1/deactivate',
      { _csrf },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(res.status).toBe(403);
  });

  it('refuses a form body over the size limit (413)', async () => {
    const { app } = consoleFixture();
    const client = new Client(app);
    await client.login('root', 's3cret');
    const res = await client.post('/console/backends/trino-1/deactivate', {
      _csrf: await client.csrf(),
      pad: 'x'.repeat(70_000),
    });
    expect(res.status).toBe(413);
  });

  it('sends pages with a strict content security policy and no caching', async () => {
    const { app } = consoleFixture();
    const res = await app.request('/console/login');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(token(await res.text())).toBeTruthy();
  });
});
