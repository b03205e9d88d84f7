import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { startIdp, type IdpOptions, type TestIdp } from './oidc-provider.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from './start-gateway.js';
import { TrinoEmulator } from './trino-emulator/index.js';

export const CLIENT_SECRET = 'the-client-secret-of-the-gateway-0123456789';

export interface OidcWorld {
  idp: TestIdp;
  gw: TestGateway;
  adhoc: TrinoEmulator;
  etl: TrinoEmulator;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * startWorld starts a real OIDC provider, two emulated clusters in two routing groups (without OAuth2 of
 * their own: they trust X-Trino-User), a gateway with auth.oidc next to a password user, and Chromium.
 * The example rules send queries tagged etl (X-Trino-Client-Tags) to the etl group, so one token is seen
 * to work on both clusters.
 */
export async function startWorld(
  o: Partial<IdpOptions> & { oidc?: Record<string, unknown> } = {},
): Promise<OidcWorld> {
  const idp = await startIdp({
    users: [
      { sub: 'alice', groups: ['adhoc', 'etl'], roles: ['user'] },
      { sub: 'root', groups: ['adhoc'], roles: ['admin'] },
      { sub: 'bob', groups: ['adhoc'], roles: ['user'] },
      // Also a password user of the gateway: an OIDC carol must not become the password carol.
      { sub: 'carol', roles: ['admin'] },
    ],
    ...o,
  });
  const adhoc = await TrinoEmulator.start({ name: 'trino-adhoc' });
  const etl = await TrinoEmulator.start({ name: 'trino-etl' });
  const password = await passwordAuth(['carol', 'carol-pw', ['admin']]);
  const gw = await startGateway(
    testConfig(
      [
        { name: 'trino-adhoc', url: adhoc.url },
        { name: 'trino-etl', url: etl.url, group: 'etl' },
      ],
      {
        auth: {
          ...password,
          forwardAuthorization: 'never',
          oidc: {
            issuer: idp.issuer,
            clientId: 'switchyard',
            clientSecret: CLIENT_SECRET,
            requestTimeoutSeconds: 1,
            ...o.oidc,
          },
        },
      },
    ),
  );
  // Trino waits 10 s per poll; short polls let a test see the "pending" answers a slow sign-in gets.
  gw.services.oidc!.exchange.pollWaitMs = 200;
  idp.addClient({
    clientId: 'switchyard',
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${gw.url}/oidc/callback`],
  });
  const browser = await openBrowser();
  return {
    idp,
    gw,
    adhoc,
    etl,
    browser,
    async stop() {
      await browser?.close();
      await gw?.stop();
      await Promise.all([adhoc?.stop(), etl?.stop(), idp?.stop()]);
    },
  };
}

/** signInAt drives the browser from a sign-in link through the provider's login form, as a person would. */
export async function signInAt(page: Page, url: string, user: string): Promise<string> {
  // A fresh browser session each time, so the provider asks again (no single sign-on from the last test).
  await page.context().clearCookies();
  await page.goto(url);
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', 'any password');
  await Promise.all([page.waitForURL(/\/oidc\/callback|\/console/), page.click('button[type=submit]')]);
  return (await page.textContent('body')) ?? '';
}
