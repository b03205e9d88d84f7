import { afterAll, describe, expect, it } from 'vitest';
import { signInAt, startWorld, type OidcWorld } from '../helpers/oidc-fixture.js';
import { obtainToken, parseChallenges } from '../helpers/oidc-trino-client.js';

const submit = (url: string, token: string) =>
  fetch(`${url}/v1/statement`, {
    method: 'POST',
    body: 'SELECT current_cluster()',
    headers: { 'x-trino-user': 'alice', authorization: `Bearer ${token}` },
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs alice in through the browser; returns the gateway's token and how often the browser was needed. */
async function signIn(w: OidcWorld): Promise<string> {
  const first = await fetch(`${w.gw.url}/v1/statement`, { method: 'POST', body: 'SELECT 1' });
  let done: Promise<string> | undefined;
  const token = await obtainToken(first, {
    redirectTo: (u) => (done = signInAt(w.browser.page, u, 'alice')),
  });
  await done;
  return token!;
}

/**
 * Refresh as Trino documents it for refresh tokens: an expired token that holds a refresh token gets a 401
 * naming only x_token_server; the client polls it (no browser) and receives a renewed token.
 */
describe('OIDC refresh', () => {
  const worlds: OidcWorld[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.stop();
  });

  it('renews an expired token without the browser, once however many requests carry it', async () => {
    const w = await startWorld({ accessTokenTtl: 2, oidc: { clockToleranceSeconds: 0 } });
    worlds.push(w);
    const t1 = await signIn(w);
    expect((await submit(w.gw.url, t1)).status).toBe(200);
    await sleep(2500);
    const [expired, again] = await Promise.all([submit(w.gw.url, t1), submit(w.gw.url, t1)]);
    expect(expired.status).toBe(401);
    const header = expired.headers.get('www-authenticate')!;
    const bearer = parseChallenges([header]).find((c) => c.params.x_token_server)!;
    expect(bearer.params.x_redirect_server).toBeUndefined();
    // Two requests with the same expired token share one refresh.
    expect(again.headers.get('www-authenticate')).toBe(header);
    const browserUsed: string[] = [];
    const t2 = await obtainToken(expired, { redirectTo: (u) => browserUsed.push(u) });
    expect(browserUsed).toEqual([]);
    expect(t2).toBeTruthy();
    expect(t2).not.toBe(t1);
    expect((await submit(w.gw.url, t2!)).status).toBe(200);
    expect(
      w.adhoc.requests.filter((r) => r.url === '/v1/statement').map((r) => r.headers['x-trino-user']),
    ).toEqual(['alice', 'alice']);
    expect(w.gw.logs()).not.toContain(t2!);
  }, 60_000);

  it('asks for a new sign-in (both URLs) when there is no refresh token, or refreshTokens is off', async () => {
    const w = await startWorld({
      accessTokenTtl: 2,
      oidc: { clockToleranceSeconds: 0, refreshTokens: false },
    });
    worlds.push(w);
    const t1 = await signIn(w);
    await sleep(2500);
    const expired = await submit(w.gw.url, t1);
    expect(expired.status).toBe(401);
    const bearer = parseChallenges([expired.headers.get('www-authenticate')!]).find(
      (c) => c.params.x_token_server,
    )!;
    expect(bearer.params.x_redirect_server).toMatch(/\/oidc\/token\/initiate\//);
    expect(((await expired.json()) as { message: string }).message).toBe(
      'Invalid bearer token (jwt_expired)',
    );
  }, 60_000);

  it('delivers a refused refresh as the poll’s error, so the client stops and signs in again', async () => {
    const w = await startWorld({ accessTokenTtl: 2, oidc: { clockToleranceSeconds: 0 } });
    worlds.push(w);
    const t1 = await signIn(w);
    await sleep(2500);
    w.idp.setMode('down');
    const expired = await submit(w.gw.url, t1);
    await expect(obtainToken(expired, { redirectTo: () => undefined })).rejects.toThrow(
      /Token refresh failed: the identity provider cannot be reached/,
    );
    w.idp.setMode('up');
  }, 60_000);
});
