import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logIn,
  runTrino,
  startPassThrough,
  type PassThroughWorld,
} from '../helpers/oauth2-passthrough-fixture.js';
import { obtainToken, parseChallenges } from '../helpers/oidc-trino-client.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

/** submit posts a statement as a Trino client would (mode none: the clusters authenticate). */
const submit = (w: PassThroughWorld, headers: Record<string, string> = {}) =>
  fetch(`${w.gw.url}/v1/statement`, {
    method: 'POST',
    body: 'SELECT current_cluster()',
    headers: { 'x-trino-user': 'alice', ...headers },
  });

/**
 * Clusters that run their own OAuth2, behind the gateway: their challenge is rewritten to the gateway, the
 * token poll and the browser's sign-in reach the cluster that issued them by a signed value, and a user
 * routed to another cluster of the gateway does not loop between token servers (trino-gateway #892).
 */
describe('OAuth2 pass-through to clusters that sign users in themselves', () => {
  let w: PassThroughWorld;
  let token: string;
  /** The callback URL the provider sent the browser to (holding a used code and its state). */
  let callbackUrl = '';
  const ETL = { 'x-trino-client-tags': 'etl' };

  beforeAll(async () => {
    w = await startPassThrough();
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
  });

  it('passes a cluster’s challenge on as a 401 in Trino’s error JSON, its URLs on the gateway, naming no cluster address', async () => {
    const res = await submit(w, ETL);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errorName: string }).errorName).toBe('AUTHENTICATION_FAILED');
    const header = res.headers.get('www-authenticate')!;
    const bearer = parseChallenges([header]).find((c) => c.scheme === 'Bearer')!;
    expect(bearer.params.x_redirect_server).toMatch(
      new RegExp(`^${w.gw.url}/oauth2/token/initiate/[0-9a-f]{64}~[^/]+$`),
    );
    expect(bearer.params.x_token_server).toMatch(
      new RegExp(`^${w.gw.url}/oauth2/token/[0-9a-f-]{36}~[^/]+$`),
    );
    expect(header).not.toContain(String(w.etl.port));
    expect(header).not.toContain(String(w.adhoc.port));
  });

  it('signs a client in on the cluster its query was routed to, through the browser, whatever routing says for /oauth2', async () => {
    w.adhoc.clearRequests();
    w.etl.clearRequests();
    const first = await submit(w, ETL);
    let signedIn: Promise<void> | undefined;
    const polls: Array<{ method: string; url: string; status: number }> = [];
    w.browser.page.on('request', (r) => {
      if (r.url().includes('/oauth2/callback?')) callbackUrl = r.url();
    });
    token = (await obtainToken(first, {
      redirectTo: (url) =>
        (signedIn = (async () => {
          await w.browser.page.goto(url);
          await logIn(w.browser.page, 'alice');
        })()),
      log: polls,
      timeoutMs: 20_000,
    }))!;
    await signedIn;
    expect(await w.browser.page.textContent('body')).toContain('OAuth2 authentication succeeded');
    expect(token).toBeTruthy();
    // Pending answers came back pointing at the gateway (with the handle), then the token; then the DELETE.
    expect(polls.every((p) => p.url.startsWith(`${w.gw.url}/oauth2/token/`) && p.url.includes('~'))).toBe(
      true,
    );
    expect(polls.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });
    // Every step of the sign-in reached the etl cluster, none the default group's cluster.
    const oauth2 = (e: typeof w.etl) =>
      e.requests.filter((r) => r.url.startsWith('/oauth2/')).map((r) => r.url.split('?')[0]);
    expect(oauth2(w.etl)).toEqual(expect.arrayContaining(['/oauth2/callback']));
    expect(oauth2(w.etl).some((u) => u.startsWith('/oauth2/token/initiate/'))).toBe(true);
    expect(oauth2(w.adhoc)).toEqual([]);
  });

  it('runs the query with that token on the etl cluster, and the next untagged query on the other cluster without a new sign-in', async () => {
    const auth = { authorization: `Bearer ${token}`, 'x-trino-user': 'alice' };
    const authorizations = w.idp.paths.filter((p) => p === '/auth').length;
    const etl = await runTrino(w, 'SELECT current_cluster()', { ...auth, ...ETL });
    expect(etl.error).toBeUndefined();
    expect(etl.rows).toEqual([['trino-etl']]);
    const adhoc = await runTrino(w, 'SELECT current_cluster()', auth);
    expect(adhoc.error).toBeUndefined();
    expect(adhoc.rows).toEqual([['trino-adhoc']]);
    const again = await runTrino(w, 'SELECT current_cluster()', { ...auth, ...ETL });
    expect(again.rows).toEqual([['trino-etl']]);
    // No second trip to the provider: no loop between the clusters' token servers (trino-gateway #892).
    expect(w.idp.paths.filter((p) => p === '/auth').length).toBe(authorizations);
  });

  it('rewrites a challenge the cluster sends on a relayed follow-up (/v1/query/{id}, no token) onto the gateway too', async () => {
    const headers = { authorization: `Bearer ${token}`, 'x-trino-user': 'alice', ...ETL };
    const posted = await fetch(`${w.gw.url}/v1/statement`, { method: 'POST', body: 'SELECT 1', headers });
    const { id } = (await posted.json()) as { id: string };
    const res = await fetch(`${w.gw.url}/v1/query/${id}`, { headers: { 'x-trino-user': 'alice' } });
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate')!;
    const bearer = parseChallenges([header]).find((c) => c.scheme === 'Bearer')!;
    expect(bearer.params.x_token_server).toMatch(
      new RegExp(`^${w.gw.url}/oauth2/token/[0-9a-f-]{36}~[^/]+$`),
    );
    expect(header).not.toContain(String(w.etl.port));
    expect(header).not.toContain(String(w.adhoc.port));
  });

  it('answers a token-server id it never issued, or one whose handle is forged, with 404 in Trino’s error JSON', async () => {
    const id = '8d3c2a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f';
    for (const path of [`/oauth2/token/${id}`, `/oauth2/token/${id}~Zm9yZ2Vk.AAAAAAAAAAAAAAAA`]) {
      const res = await fetch(`${w.gw.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { errorName: string }).errorName).toBe('NOT_FOUND');
    }
  });

  it('refuses, with a readable page, a forged sign-in link and a callback whose state it did not pin (forged or replayed)', async () => {
    const page = w.browser.page;
    const link = await page.goto(
      `${w.gw.url}/oauth2/token/initiate/${'a'.repeat(64)}~Zm9yZ2Vk.AAAAAAAAAAAAAAAA`,
    );
    expect(link!.status()).toBe(404);
    expect(await page.textContent('h1')).toBe('Unknown sign-in link');
    const callback = await page.goto(`${w.gw.url}/oauth2/callback?code=abc&state=forged.state.value`);
    expect(callback!.status()).toBe(400);
    expect(await page.textContent('h1')).toBe('Sign-in not recognised');
    // The pin of the completed sign-in was dropped: replaying its callback (same state, same code) is
    // refused the same way, and the cluster never sees it.
    expect(callbackUrl).toContain('state=');
    w.etl.clearRequests();
    const replay = await page.goto(callbackUrl);
    expect(replay!.status()).toBe(400);
    expect(await page.textContent('h1')).toBe('Sign-in not recognised');
    expect(w.etl.requests).toEqual([]);
  });

  it('opens the clusters’ OAuth2-protected web UIs through the gateway, each session under its own cookie', async () => {
    const page = w.browser.page;
    await page.context().clearCookies();
    await page.goto(`${w.gw.url}/ui/`);
    expect(await page.textContent('h1')).toBe('Choose a cluster');
    // The cluster sends the browser to the provider (allowed: it returns to the gateway's callback).
    await Promise.all([
      page.waitForURL(/\/auth|\/interaction\//),
      page.click('button:text-is("trino-adhoc")'),
    ]);
    await logIn(page, 'alice');
    await page.waitForURL(/\/ui\/$/);
    expect(await page.textContent('#cluster')).toBe('trino-adhoc');
    expect(await page.textContent('#user')).toBe('alice');
    // The other cluster: the provider still knows alice (single sign-on), so no form this time.
    await page.goto(`${w.gw.url}/ui/_switchyard/clusters`);
    await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button:text-is("trino-etl")')]);
    expect(await page.textContent('#cluster')).toBe('trino-etl');
    const names = (await page.context().cookies(`${w.gw.url}/ui/`)).map((c) => c.name);
    expect(names.filter((n) => /^__Secure-sy[0-9a-f]{8}-Trino-OAuth2-Token$/.test(n))).toHaveLength(2);
    // Back on the first cluster, its session was not overwritten by the second's.
    await page.goto(`${w.gw.url}/ui/_switchyard/clusters`);
    const before = w.idp.paths.length;
    await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button:text-is("trino-adhoc")')]);
    expect(await page.textContent('#cluster')).toBe('trino-adhoc');
    expect(w.idp.paths.length).toBe(before);
  });

  it('writes no token to a log line', () => {
    expect(w.gw.logs()).not.toContain(token);
  });
});

const ID = '8d3c2a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f';
const HASH = 'b'.repeat(64);

/**
 * A cluster running its own OAuth2 that does not build the gateway's URLs (no processForwarded): its
 * challenge still reaches the client on the gateway, but its sign-in would send the IdP back to its own
 * address, where the code exchange must happen too. The gateway refuses to start that sign-in, naming the
 * setting, instead of sending the browser anywhere.
 */
describe('OAuth2 pass-through to a cluster that builds its own URLs', () => {
  let cluster: http.Server;
  let origin = '';
  let gw: TestGateway;

  beforeAll(async () => {
    cluster = http.createServer((req, res) => {
      if (req.url === '/v1/info')
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ nodeVersion: { version: '476' }, coordinator: true, starting: false }));
      if (req.url === '/v1/statement')
        return void res
          .writeHead(401, {
            'content-type': 'text/plain',
            'www-authenticate': `Bearer x_redirect_server="${origin}/oauth2/token/initiate/${HASH}", x_token_server="${origin}/oauth2/token/${ID}"`,
          })
          .end('Unauthorized');
      if (req.url === `/oauth2/token/initiate/${HASH}`)
        return void res
          .writeHead(303, {
            location: `https://idp.example/auth?response_type=code&client_id=trino&redirect_uri=${encodeURIComponent(`${origin}/oauth2/callback`)}&state=s1`,
          })
          .end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => cluster.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(cluster.address() as AddressInfo).port}`;
    gw = await startGateway(testConfig([{ name: 'own-urls', url: origin }]));
  });
  afterAll(async () => {
    await gw?.stop();
    await new Promise((r) => cluster.close(r));
  });

  it('rewrites the challenge to the gateway, and refuses to start a sign-in that would not return to it', async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'x-trino-user': 'alice' },
    });
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate')!;
    expect(header).not.toContain(origin);
    const bearer = parseChallenges([header])[0];
    const start = await fetch(bearer.params.x_redirect_server, { redirect: 'manual' });
    expect(start.status).toBe(502);
    expect(start.headers.get('location')).toBeNull();
    expect(start.headers.get('set-cookie')).toBeNull();
    const page = await start.text();
    expect(page).toContain('backends[].processForwarded');
    expect(page).not.toContain(origin);
  });
});
