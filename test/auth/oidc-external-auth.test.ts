import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Trino } from 'trino-client';
import { CLIENT_SECRET, signInAt, startWorld, type OidcWorld } from '../helpers/oidc-fixture.js';
import { obtainToken, parseChallenges } from '../helpers/oidc-trino-client.js';

/** submit posts a statement as a Trino client would, with whatever headers it holds. */
const submit = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/statement`, {
    method: 'POST',
    body: 'SELECT current_cluster()',
    headers: { 'x-trino-user': 'whoever', ...headers },
  });

/** runTrino runs a query with the real trino-client holding a bearer token (no Basic auth), every page. */
async function runTrino(server: string, sql: string, o: { headers: Record<string, string> }) {
  const trino = Trino.create({ server, catalog: 'tpch', schema: 'tiny', extraHeaders: o.headers });
  const out: { rows: unknown[][]; error?: unknown } = { rows: [] };
  for await (const page of await trino.query(sql)) {
    if (page.data) out.rows.push(...(page.data as unknown[][]));
    if (page.error) out.error = page.error;
  }
  return out;
}

/** Trino's external authentication through the gateway: a CLI/JDBC-style client signs in once, in Chromium. */
describe('OIDC external authentication (Trino clients)', () => {
  let w: OidcWorld;
  let token: string;
  const polls: Array<{ method: string; url: string; status: number }> = [];

  beforeAll(async () => {
    w = await startWorld();
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
  });

  it('answers a request without credentials with Trino’s challenge on the gateway’s public URL', async () => {
    const res = await submit(w.gw.url);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errorName: string; message: string };
    expect(body.errorName).toBe('AUTHENTICATION_FAILED');
    const challenges = parseChallenges([res.headers.get('www-authenticate')!]);
    const bearer = challenges.find((c) => c.scheme === 'Bearer')!;
    expect(bearer.params.x_redirect_server).toMatch(new RegExp(`^${w.gw.url}/oidc/token/initiate/`));
    expect(bearer.params.x_token_server).toMatch(new RegExp(`^${w.gw.url}/oidc/token/`));
    expect(challenges.map((c) => c.scheme)).toContain('Basic');
    // Fresh ids on every 401, as Trino's OAuth2Authenticator makes a new authId each time.
    const again = parseChallenges([(await submit(w.gw.url)).headers.get('www-authenticate')!]);
    expect(again.find((c) => c.scheme === 'Bearer')!.params.x_token_server).not.toBe(
      bearer.params.x_token_server,
    );
  });

  it('signs a client in through the browser and hands it a token once (pending, the token, then gone)', async () => {
    const first = await submit(w.gw.url);
    let signedIn: Promise<string> | undefined;
    token = (await obtainToken(first, {
      redirectTo: (url) => (signedIn = signInAt(w.browser.page, url, 'alice')),
      log: polls,
    }))!;
    expect(await signedIn).toContain('You are signed in as alice');
    // The ID token's signature was checked against the issuer's keys: the gateway fetched its JWKS.
    expect(w.idp.paths).toContain('/jwks');
    expect(token.split('.')).toHaveLength(5);
    const getPolls = polls.filter((p) => p.method === 'GET');
    // While the person signs in, each poll answers 200 with nextUri (pending); the last one, the token.
    expect(getPolls.length).toBeGreaterThan(1);
    expect(getPolls.every((p) => p.status === 200)).toBe(true);
    expect(getPolls.at(-1)!.status).toBe(200);
    expect(polls.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });
    // The token was delivered: the same token server now answers 410 in Trino's error JSON.
    const gone = await fetch(getPolls.at(-1)!.url);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { errorName: string }).errorName).toBe('NOT_FOUND');
  });

  it('lets the real trino-client run queries with that token on every cluster, as the signed-in user', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const adhoc = await runTrino(w.gw.url, 'SELECT current_cluster()', { headers: auth });
    expect(adhoc.error).toBeUndefined();
    expect(adhoc.rows).toEqual([['trino-adhoc']]);
    const etl = await runTrino(w.gw.url, 'SELECT current_cluster()', {
      headers: { ...auth, 'x-trino-client-tags': 'etl' },
    });
    expect(etl.error).toBeUndefined();
    expect(etl.rows).toEqual([['trino-etl']]);
    // The clusters need no OAuth2: they see the principal as X-Trino-User, and never the gateway's token.
    for (const cluster of [w.adhoc, w.etl]) {
      const seen = cluster.requests.filter((r) => r.url.startsWith('/v1/statement'));
      expect(seen.length).toBeGreaterThan(0);
      for (const r of seen) {
        expect(r.headers['x-trino-user']).toBe('alice');
        expect(r.headers.authorization).toBeUndefined();
      }
    }
  });

  it('never writes the token, the code or the client secret to a log line, history or an API answer', async () => {
    const logs = w.gw.logs();
    expect(logs).toContain('oidc sign-in');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(CLIENT_SECRET);
    expect(logs).not.toMatch(/[?&]code=/);
    // Nor a token-server id, with which anyone could collect the token before the client does.
    expect(logs).toContain('/oidc/token/{id}');
    for (const p of polls) expect(logs).not.toContain(new URL(p.url).pathname.split('/').at(-1)!);
    const history = await fetch(`${w.gw.url}/api/v1/queries`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await history.text();
    expect(text).not.toContain(token);
    // An admin by its roles claim reads every admin answer: none holds the client secret or a token.
    const admin = {
      authorization: `Bearer ${await w.idp.sign({ sub: 'root', roles: ['admin'], groups: ['*'] })}`,
    };
    for (const path of [
      '/api/v1/backends',
      '/api/v1/groups',
      '/api/v1/users',
      '/api/v1/queries',
      '/api/v1/openapi.json',
    ]) {
      const res = await fetch(`${w.gw.url}${path}`, { headers: admin });
      expect(res.status).toBe(200);
      const answer = await res.text();
      expect(answer).not.toContain(CLIENT_SECRET);
      expect(answer).not.toContain(token);
    }
    const metrics = await (await fetch(`${w.gw.url}/metrics`)).text();
    expect(metrics).not.toContain(token);
    expect(metrics).not.toContain(CLIENT_SECRET);
  });
});
