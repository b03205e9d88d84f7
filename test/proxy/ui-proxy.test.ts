import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { openBrowser, type Browser } from '../helpers/browser.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const SECRET = 'a-shared-secret-of-32-characters!!';

/** Runs a query through the gateway and returns its id (the cluster that ran it owns its UI page). */
async function queryId(gw: TestGateway, headers: Record<string, string>): Promise<string> {
  const res = await fetch(`${gw.url}/v1/statement`, { method: 'POST', body: 'SELECT 1', headers });
  const page = (await res.json()) as { id: string; nextUri?: string };
  let next = page.nextUri;
  while (next) next = ((await (await fetch(next, { headers })).json()) as { nextUri?: string }).nextUri;
  return page.id;
}

/**
 * Trino's web UI through the gateway, in headless Chromium: pinned per browser to one cluster (the
 * picker, or the query's owner), the clusters' form logins and cookies rewritten to the gateway and kept
 * apart, in password mode (the browser's Basic prompt) and JWT-only mode (the gateway's UI sign-in).
 */
describe("Trino's web UI through the gateway, password mode", () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;
  let browser: Browser;
  const basic = `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      TrinoEmulator.start({ name: 'trino-a' }),
      TrinoEmulator.start({ name: 'trino-b' }),
    ]);
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-a', url: a.url },
          { name: 'trino-b', url: b.url },
        ],
        { auth: await passwordAuth(['alice', 'alice-pw']) },
      ),
    );
    browser = await openBrowser();
    await browser.page.context().setHTTPCredentials({ username: 'alice', password: 'alice-pw' });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  /** logInTo picks a cluster on the picker page and logs in to its own form, as a person would. */
  async function logInTo(name: string): Promise<void> {
    const page = browser.page;
    await page.goto(`${gw.url}/ui/_switchyard/clusters`);
    await Promise.all([page.waitForURL(/\/ui\/login\.html$/), page.click(`button:text-is("${name}")`)]);
    await page.fill('#username', 'alice');
    await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button[type=submit]')]);
  }

  it('shows a picker of the clusters the user may use, by name only, and pins the one chosen', async () => {
    const page = browser.page;
    const res = await page.goto(`${gw.url}/ui/`);
    expect(res!.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Choose a cluster');
    expect(await page.locator('#clusters button').allTextContents()).toEqual(['trino-a', 'trino-b']);
    const html = await page.content();
    for (const e of [a, b]) expect(html).not.toContain(String(e.port));
    await logInTo('trino-b');
    expect(await page.textContent('#cluster')).toBe('trino-b');
    expect(await page.textContent('#user')).toBe('alice');
    // Reloading stays on the pinned cluster, page after page.
    for (let i = 0; i < 3; i++) {
      await page.reload();
      expect(await page.textContent('#cluster')).toBe('trino-b');
    }
  });

  it('keeps two clusters’ UI sessions apart, and never lets a cluster overwrite the gateway’s pin', async () => {
    const page = browser.page;
    await logInTo('trino-a');
    expect(await page.textContent('#cluster')).toBe('trino-a');
    // Back to trino-b: its session is still there (no second login form).
    await page.goto(`${gw.url}/ui/_switchyard/clusters`);
    await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button:text-is("trino-b")')]);
    expect(await page.textContent('#cluster')).toBe('trino-b');
    expect(await page.textContent('#user')).toBe('alice');
    const cookies = await page.context().cookies(`${gw.url}/ui/`);
    const names = cookies.map((c) => c.name).sort();
    expect(names.filter((n) => n.endsWith('-Trino-UI-Token'))).toHaveLength(2);
    expect(names).toContain('switchyard_ui');
    for (const c of cookies) expect(c.domain).toBe('127.0.0.1');
    // Each cluster was sent only its own UI token, under its own name, and never the gateway's pin.
    for (const e of [a, b])
      for (const r of e.requests.filter((x) => x.url.startsWith('/ui')))
        expect(String(r.headers.cookie ?? '')).not.toMatch(/switchyard_ui|sy[0-9a-f]{8}-/);
  });

  it('opens /ui/query.html?{id} on the cluster that ran the query, and pins it', async () => {
    const page = browser.page;
    const id = await queryId(gw, { authorization: basic });
    const owner = a.query(id) ? 'trino-a' : 'trino-b';
    await page.goto(`${gw.url}/ui/_switchyard/clusters`);
    const other = owner === 'trino-a' ? 'trino-b' : 'trino-a';
    await Promise.all([page.waitForURL(/\/ui\/$/), page.click(`button:text-is("${other}")`)]);
    // The UI's API call about the query goes to its owner, without moving the pin.
    await page.goto(`${gw.url}/ui/api/query/${id}`);
    expect(await page.textContent('#cluster')).toBe(owner);
    await page.goto(`${gw.url}/ui/`);
    expect(await page.textContent('#cluster')).toBe(other);
    await page.goto(`${gw.url}/ui/query.html?${id}`);
    expect(await page.textContent('h1')).toBe(`${id} on ${owner}`);
    await page.goto(`${gw.url}/ui/`);
    expect(await page.textContent('#cluster')).toBe(owner);
  });

  it('ignores a forged pin, and refuses a pick of a cluster handle it did not sign', async () => {
    const headers = { authorization: basic, accept: 'text/html' };
    const forged = Buffer.from('trino-a').toString('base64url') + '.AAAAAAAAAAAAAAAA';
    const res = await fetch(`${gw.url}/ui/`, { headers: { ...headers, cookie: `switchyard_ui=${forged}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Choose a cluster');
    const pick = await fetch(`${gw.url}/ui/_switchyard/pick`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: `cluster=${forged}`,
    });
    expect(pick.status).toBe(400);
    expect(pick.headers.get('set-cookie')).toBeNull();
  });

  it('asks a browser without credentials to sign in, with a page and the Basic challenge', async () => {
    const res = await fetch(`${gw.url}/ui/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await res.text()).toContain('Sign in to the Trino web UI');
    // The UI's API calls get Trino's error JSON instead.
    const api = await fetch(`${gw.url}/ui/api/stats`);
    expect(api.status).toBe(401);
    expect(((await api.json()) as { errorName: string }).errorName).toBe('AUTHENTICATION_FAILED');
  });
});

describe("Trino's web UI through the gateway, JWT-only mode", () => {
  let c: TrinoEmulator;
  let gw: TestGateway;
  let browser: Browser;
  const sign = (sub: string, exp = '10m') =>
    new SignJWT({ groups: ['adhoc'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));

  beforeAll(async () => {
    c = await TrinoEmulator.start({ name: 'trino-c', webUiAuthentication: 'fixed' });
    gw = await startGateway(
      testConfig([{ name: 'trino-c', url: c.url }], {
        auth: {
          mode: 'password',
          basic: { enabled: false },
          jwt: { enabled: true, secret: SECRET, algorithms: ['HS256'] },
        },
      }),
    );
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await c?.stop();
  });

  it('lets a browser in with a token pasted into the gateway’s sign-in page, as the token’s user', async () => {
    const page = browser.page;
    const first = await page.goto(`${gw.url}/ui/`);
    expect(first!.status()).toBe(401);
    expect(await page.locator('#sso').count()).toBe(0);
    await page.fill('#token', 'not a token');
    await page.click('button[type=submit]');
    expect(await page.textContent('.card p')).toMatch(/not a token/);
    await page.fill('#token', await sign('dave', '-1m'));
    await page.click('button[type=submit]');
    expect(await page.textContent('.card p')).toMatch(/did not accept that token/);
    const token = await sign('dave');
    await page.fill('#token', token);
    await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button[type=submit]')]);
    expect(await page.textContent('#cluster')).toBe('trino-c');
    const seen = c.requests.filter((r) => r.url.startsWith('/ui'));
    expect(seen.at(-1)!.headers['x-trino-user']).toBe('dave');
    // The token never reaches the cluster, as a cookie or a header.
    for (const r of seen) {
      expect(r.headers.authorization).toBeUndefined();
      expect(String(r.headers.cookie ?? '')).not.toContain(token);
    }
    expect(gw.logs()).not.toContain(token);
  });
});
