import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/raw-http.js';
import { TrinoEmulator, type EmulatorOptions } from '../helpers/trino-emulator/index.js';

/** The emulator is our picture of Trino 476: its defaults are Trino's, each leniency a knob. */
describe('the Trino emulator', () => {
  let emu: TrinoEmulator | undefined;
  afterEach(() => emu?.stop());
  const start = async (o: EmulatorOptions = {}) => (emu = await TrinoEmulator.start(o));
  const post = (e: TrinoEmulator, headers: Record<string, string>, sql = 'SELECT 1') =>
    fetch(`${e.url}/v1/statement`, { method: 'POST', body: sql, headers });
  const basic = (u: string, p?: string) =>
    `Basic ${Buffer.from(p === undefined ? u : `${u}:${p}`).toString('base64')}`;

  it('answers any X-Forwarded-* with 406 by default, on every path (process-forwarded REJECT)', async () => {
    const e = await start();
    for (const path of ['/v1/info', '/v1/statement']) {
      const res = await fetch(`${e.url}${path}`, {
        method: path === '/v1/info' ? 'GET' : 'POST',
        headers: { 'X-Forwarded-Proto': 'https', 'X-Trino-User': 'a' },
      });
      expect(res.status).toBe(406);
      // Jetty names the header as the client spelled it.
      expect(await res.text()).toContain(
        'Server configuration does not allow processing of the X-Forwarded-Proto header',
      );
    }
  });

  it('with IGNORE drops forwarded headers; with ACCEPT builds its URLs from them, X-Forwarded-Prefix too', async () => {
    let e = await start({ processForwarded: 'IGNORE' });
    let page = (await (await post(e, { 'X-Trino-User': 'a', 'X-Forwarded-Host': 'gw.example' })).json()) as {
      nextUri: string;
    };
    expect(page.nextUri.startsWith(e.url)).toBe(true);
    await e.stop();
    e = await start({ processForwarded: true });
    page = (await (
      await post(e, {
        'X-Trino-User': 'a',
        'X-Forwarded-Host': 'gw.example',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Prefix': '/trino',
      })
    ).json()) as { nextUri: string };
    expect(page.nextUri.startsWith('https://gw.example/trino/v1/statement/queued/')).toBe(true);
  });

  it('authenticates as InsecureAuthenticator by default: a user name, never a password', async () => {
    const e = await start();
    const refused = await post(e, { authorization: basic('alice', 'pw') });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="Trino"');
    expect(await refused.text()).toBe('Password not allowed for insecure authentication');
    expect((await post(e, { authorization: basic('alice') })).status).toBe(200);
    const none = await post(e, {});
    expect(none.status).toBe(401);
    expect(await none.text()).toBe('Basic authentication or X-Trino-User must be sent');
  });

  it('ignores X-Presto-* unless protocol.v1.alternate-header-name is set, then answers in that family', async () => {
    let e = await start();
    expect((await post(e, { 'X-Presto-User': 'alice' })).status).toBe(401);
    await e.stop();
    e = await start({ alternateHeaderName: 'Presto' });
    const res = await post(e, { 'X-Presto-User': 'alice' }, 'START TRANSACTION');
    let page = (await res.json()) as { nextUri?: string };
    let started: string | null = null;
    while (page.nextUri) {
      const r = await fetch(page.nextUri);
      started ??= r.headers.get('x-presto-started-transaction-id');
      page = (await r.json()) as typeof page;
    }
    expect(started).toBeTruthy();
    // ProtocolDetectionException: both families in one request is a 400.
    const mixed = await post(e, { 'X-Presto-User': 'alice', 'X-Trino-Source': 'x' });
    expect(mixed.status).toBe(400);
    expect(await mixed.text()).toBe('Both Trino and Presto headers detected');
  });

  it("takes request headers up to Trino's 2 MiB; over http-server.max-request-header-size, Jetty's 431 page", async () => {
    let e = await start();
    const big = await post(e, { 'X-Trino-User': 'alice', 'X-Trino-Client-Info': 'x'.repeat(1024 * 1024) });
    expect(big.status).toBe(200);
    await e.stop();
    e = await start({ maxRequestHeaderSize: 8 * 1024 });
    const port = Number(new URL(e.url).port);
    const res = await rawRequest(
      port,
      `POST /v1/statement HTTP/1.1\r\nHost: x\r\nX-Trino-User: alice\r\nX-Big: ${'x'.repeat(10_000)}\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(res.head).toMatch(/content-type: text\/html;charset=iso-8859-1/i);
    expect(res.body).toContain('<h2>HTTP ERROR 431 Request Header Fields Too Large</h2>');
    expect(res.body).toContain('<td>/v1/statement</td>');
  });

  it('checks passwords only on secure requests; plain http falls back to the insecure authenticator, or 403', async () => {
    let e = await start({
      authentication: 'password',
      passwords: { alice: 'pw' },
      processForwarded: 'ACCEPT',
    });
    expect((await post(e, { authorization: basic('alice', 'pw') })).status).toBe(401);
    const https = { 'X-Forwarded-Proto': 'https' };
    expect((await post(e, { ...https, authorization: basic('alice', 'pw') })).status).toBe(200);
    const wrong = await post(e, { ...https, authorization: basic('alice', 'nope') });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe('Access Denied: Invalid credentials');
    await e.stop();
    e = await start({ authentication: 'password', passwords: { alice: 'pw' }, allowInsecureOverHttp: false });
    const forbidden = await post(e, { 'X-Trino-User': 'alice' });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toBe('Authentication over HTTP is not enabled');
  });

  it('answers the OAuth2 challenge with x_redirect_server and x_token_server, and hands out the token', async () => {
    const e = await start({ authentication: 'oauth2', oauth2Tokens: ['tok-1'], processForwarded: 'ACCEPT' });
    const res = await post(e, { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'c.example' });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate')!;
    const m =
      /^Bearer x_redirect_server="https:\/\/c\.example\/oauth2\/token\/initiate\/[0-9a-f]{64}", x_token_server="https:\/\/c\.example(\/oauth2\/token\/[0-9a-f-]{36})"$/.exec(
        challenge,
      );
    expect(m).not.toBeNull();
    expect(await (await fetch(`${e.url}${m![1]}`)).json()).toEqual({ token: 'tok-1' });
    expect(
      (await post(e, { 'X-Forwarded-Proto': 'https', authorization: 'Bearer tok-1', 'X-Trino-User': 'u' }))
        .status,
    ).toBe(200);
  });

  it('answers HEAD and GET /v1/statement with 405, as JAX-RS does', async () => {
    const e = await start();
    expect((await fetch(`${e.url}/v1/statement`, { method: 'HEAD' })).status).toBe(405);
    expect((await fetch(`${e.url}/v1/statement`)).status).toBe(405);
  });

  it('guards /ui/api/* with the Trino-UI-Token cookie of the form login, which redirects with an absolute Location', async () => {
    const e = await start();
    expect((await fetch(`${e.url}/ui/api/stats`)).status).toBe(401);
    const page = await fetch(`${e.url}/ui/`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`${e.url}/ui/login.html`);
    const withPassword = await fetch(`${e.url}/ui/login`, {
      method: 'POST',
      body: 'username=a&password=p',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(withPassword.headers.get('set-cookie')).toBeNull();
    const login = await fetch(`${e.url}/ui/login`, {
      method: 'POST',
      body: 'username=a',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'coordinator.example:8080' },
    });
    expect(login.status).toBe(303);
    // Absolute, built from the request (its Host), as FormWebUiAuthenticationFilter builds it.
    expect(login.headers.get('location')).toBe(`${e.url}/ui/`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect(cookie).toMatch(/^Trino-UI-Token=/);
    expect((await fetch(`${e.url}/ui/api/stats`, { headers: { cookie } })).status).toBe(200);
    await e.stop();
    const fixed = await start({ webUiAuthentication: 'fixed' });
    expect((await fetch(`${fixed.url}/ui/api/stats`)).status).toBe(200);
  });

  it('kills a query of its own with kill_query, and says NOT_FOUND for any other id', async () => {
    const e = await start();
    const drain = async (sql: string) => {
      let p = (await (await post(e, { 'X-Trino-User': 'a' }, sql)).json()) as {
        nextUri?: string;
        error?: { errorName: string; message: string };
      };
      while (p.nextUri) p = (await (await fetch(p.nextUri)).json()) as typeof p;
      return p;
    };
    const unknown = await drain("CALL system.runtime.kill_query(query_id => 'nosuch_1')");
    expect(unknown.error).toMatchObject({
      errorName: 'NOT_FOUND',
      message: 'Target query not found: nosuch_1',
    });
    const q = (await (await post(e, { 'X-Trino-User': 'a' }, 'SELECT sleep(10000)')).json()) as {
      id: string;
    };
    expect((await drain(`CALL system.runtime.kill_query('${q.id}')`)).error).toBeUndefined();
    expect(e.query(q.id)?.state).toBe('FAILED');
  });

  it('speaks spooling only with a spooling manager; the segment ack is a GET', async () => {
    let e = await start();
    expect((await fetch(`${e.url}/v1/spooled/download/x`)).status).toBe(404);
    await e.stop();
    e = await start({ spooling: { retrievalMode: 'STORAGE' } });
    expect((await fetch(`${e.url}/v1/spooled/download/x`)).status).toBe(503);
    expect((await fetch(`${e.url}/v1/spooled/ack/x`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${e.url}/v1/spooled/ack/x`)).status).toBe(200);
  });
});
