import { describe, expect, it } from 'vitest';
import type { PasswordCheck } from '../../../src/auth/password-login.js';
import { Client, consoleFixture, token } from '../../helpers/console-fixture.js';

describe('the sign-in page', () => {
  it('says a wrong password plainly (401), keeps the user name, and gives no session', async () => {
    const client = new Client(consoleFixture().app);
    const r = await client.login('root', 'wrong');
    expect(r.status).toBe(401);
    const page = await r.text();
    expect(page).toContain('Wrong user name or password.');
    expect(page).toContain('role="alert"');
    expect(page).toMatch(/<input id="user" name="user"[^>]*value="root"/);
    expect(page).not.toContain('wrong');
    expect(client.cookies.has('sy_console')).toBe(false);
    // A fresh login token comes with the refusal, so the next try works.
    expect(
      (await client.post('/console/login', { _csrf: token(page), user: 'root', password: 's3cret' })).status,
    ).toBe(303);
  });

  it('escapes a user name put back in the form', async () => {
    const client = new Client(consoleFixture().app);
    const page = await (await client.login('"><script>x</script>', 'p')).text();
    expect(page).not.toContain('<script>x</script>');
    expect(page).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('says the form expired when its login token is wrong, keeping where the user was going', async () => {
    const client = new Client(consoleFixture().app);
    await client.get('/console/login');
    const r = await client.post('/console/login', {
      _csrf: 'forged',
      user: 'root',
      password: 's3cret',
      next: '/console/queries',
    });
    expect(r.status).toBe(403);
    const page = await r.text();
    expect(page).toContain('The sign-in form expired. Please try again.');
    expect(page).toContain('name="next" value="/console/queries"');
  });

  it('asks to wait when too many sign-ins are being checked (503)', async () => {
    const busy: PasswordCheck = {
      check: async () => ({ ok: false, status: 503, reason: 'busy', message: 'busy' }),
    };
    const client = new Client(consoleFixture({ passwords: busy }).app);
    const r = await client.login('root', 's3cret');
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('Too many sign-ins are being checked right now. Try again in a moment.');
  });

  it('sends a signed-in admin on to where they were going instead of the form', async () => {
    const client = new Client(consoleFixture().app);
    await client.login('root', 's3cret');
    const r = await client.get('/console/login?next=/console/backends');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/console/backends');
    const away = await client.get('/console/login?next=https://evil.example/');
    expect(away.headers.get('location')).toMatch(/^\/console/);
  });

  it('offers single sign-on only when configured, carrying where the user was going', async () => {
    const plain = await (await new Client(consoleFixture().app).get('/console/login')).text();
    expect(plain).not.toContain('single sign-on');
    const oidc = { loginUrl: '/console/oidc/login', user: () => undefined };
    const r = await new Client(consoleFixture({ oidc }).app).get('/console/login?next=/console/queue');
    expect(await r.text()).toContain('href="/console/oidc/login?next=%2Fconsole%2Fqueue"');
  });
});
