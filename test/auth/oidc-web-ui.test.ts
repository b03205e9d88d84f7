import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type OidcWorld } from '../helpers/oidc-fixture.js';

/**
 * Trino's web UI through a gateway that signs people in with OIDC: the browser has no Basic credentials,
 * so the gateway's own OIDC sign-in gets it in (its token in an HttpOnly cookie limited to /ui), then the
 * picker and the cluster's own form login, as the signed-in user.
 */
describe("Trino's web UI through the gateway, OIDC mode", () => {
  let w: OidcWorld;

  beforeAll(async () => {
    w = await startWorld();
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
  });

  it('signs the browser in with single sign-on, then opens the chosen cluster’s UI as that user', async () => {
    const page = w.browser.page;
    await page.context().clearCookies();
    const first = await page.goto(`${w.gw.url}/ui/`);
    expect(first!.status()).toBe(401);
    await page.click('#sso');
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'any password');
    await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button[type=submit]')]);
    // alice may use the adhoc and etl groups: both clusters are offered.
    expect(await page.locator('#clusters button').allTextContents()).toEqual(['trino-adhoc', 'trino-etl']);
    await Promise.all([page.waitForURL(/\/ui\/login\.html$/), page.click('button:text-is("trino-etl")')]);
    await page.fill('#username', 'alice');
    await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button[type=submit]')]);
    expect(await page.textContent('#cluster')).toBe('trino-etl');
    expect(await page.textContent('#user')).toBe('alice');
    // The browser's requests (the gateway's own stats poller signs in to the UI too).
    const seen = w.etl.requests.filter((r) => String(r.headers['user-agent']).includes('Chrome'));
    expect(seen.map((r) => r.url)).toEqual(expect.arrayContaining(['/ui/', '/ui/login.html', '/ui/login']));
    expect(seen.every((r) => r.headers['x-trino-user'] === 'alice')).toBe(true);
    // The gateway's token stays with the gateway: no cluster sees it as a cookie or a header.
    const token = (await page.context().cookies(`${w.gw.url}/ui/`)).find(
      (c) => c.name === 'switchyard_ui_token',
    );
    expect(token?.httpOnly).toBe(true);
    for (const r of seen) {
      expect(r.headers.authorization).toBeUndefined();
      expect(String(r.headers.cookie ?? '')).not.toContain(token!.value);
    }
  });

  it('sends a browser whose UI token is forged back to the sign-in page', async () => {
    const res = await fetch(`${w.gw.url}/ui/`, {
      headers: { accept: 'text/html', cookie: 'switchyard_ui_token=a.b.c.d.e' },
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Your sign-in has ended');
  });
});
