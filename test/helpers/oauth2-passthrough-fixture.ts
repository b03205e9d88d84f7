import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import type { Page } from 'playwright-core';
import { Trino } from 'trino-client';
import { openBrowser, type Browser } from './browser.js';
import { startIdp, type TestIdp } from './oidc-provider.js';
import { startGateway, testConfig, type ConfigObject, type TestGateway } from './start-gateway.js';
import { selfSignedCert, type TestCert } from './tls.js';
import { TrinoEmulator } from './trino-emulator/index.js';

export const TRINO_SECRET = 'the-clusters-client-secret-0123456789';

export interface PassThroughWorld {
  idp: TestIdp;
  gw: TestGateway;
  adhoc: TrinoEmulator;
  etl: TrinoEmulator;
  browser: Browser;
  cert: TestCert;
  stop(): Promise<void>;
}

/**
 * startPassThrough starts a real OIDC provider, two emulated clusters that run their own OAuth2 against it
 * (one IdP client for both, as trino-gateway's security guide recommends; http-server.process-forwarded on,
 * so they build the gateway's URLs), in two routing groups (queries tagged etl go to trino-etl), a gateway
 * on https with the given auth (default none: the clusters authenticate), and Chromium.
 */
export async function startPassThrough(auth: ConfigObject = { mode: 'none' }): Promise<PassThroughWorld> {
  const idp = await startIdp({ users: [{ sub: 'alice' }, { sub: 'bob' }] });
  const oauth2 = { issuer: idp.issuer, clientId: 'trino', clientSecret: TRINO_SECRET, pollWaitMs: 200 };
  const cluster = (name: string) =>
    TrinoEmulator.start({
      name,
      authentication: 'oauth2',
      webUiAuthentication: 'oauth2',
      oauth2,
      processForwarded: 'ACCEPT',
    });
  const [adhoc, etl] = await Promise.all([cluster('trino-adhoc'), cluster('trino-etl')]);
  const cert = selfSignedCert();
  const gw = await startGateway(
    testConfig(
      [
        { name: 'trino-adhoc', url: adhoc.url, processForwarded: true },
        { name: 'trino-etl', url: etl.url, group: 'etl', processForwarded: true },
      ],
      { server: { host: '127.0.0.1', tls: { cert: cert.certFile, key: cert.keyFile } }, auth },
    ),
  );
  idp.addClient({
    clientId: 'trino',
    clientSecret: TRINO_SECRET,
    redirectUris: [`${gw.url}/oauth2/callback`],
    pkce: false,
  });
  const browser = await openBrowser({ ignoreHTTPSErrors: true });
  // The test's own fetches (the token poller) trust the gateway's throw-away certificate.
  const before: Dispatcher = getGlobalDispatcher();
  setGlobalDispatcher(new Agent({ connect: { ca: cert.ca } }));
  return {
    idp,
    gw,
    adhoc,
    etl,
    browser,
    cert,
    async stop() {
      setGlobalDispatcher(before);
      await browser?.close();
      await gw?.stop();
      await Promise.all([adhoc?.stop(), etl?.stop(), idp?.stop()]);
    },
  };
}

/** logIn answers the provider's login form in the browser, as a person would, and waits to leave it. */
export async function logIn(page: Page, user: string): Promise<void> {
  await page.waitForSelector('input[name=login]');
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', 'any password');
  await Promise.all([page.waitForURL(/\/oauth2\/callback|\/ui\//), page.click('button[type=submit]')]);
}

/** runTrino runs a query with the real trino-client holding the given headers (a bearer token), every page. */
export async function runTrino(w: PassThroughWorld, sql: string, headers: Record<string, string>) {
  const trino = Trino.create({
    server: w.gw.url,
    catalog: 'tpch',
    schema: 'tiny',
    extraHeaders: headers,
    ssl: { ca: w.cert.ca },
  });
  const out: { rows: unknown[][]; error?: unknown } = { rows: [] };
  for await (const page of await trino.query(sql)) {
    if (page.data) out.rows.push(...(page.data as unknown[][]));
    if (page.error) out.error = page.error;
  }
  return out;
}
