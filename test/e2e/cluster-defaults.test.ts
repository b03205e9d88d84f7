import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedQuery } from '../helpers/failed-query.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { runPresto, runTrino } from '../helpers/clients.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

const authorization = `Basic ${Buffer.from('alice:pw').toString('base64')}`;

interface Page {
  id: string;
  nextUri?: string;
  data?: unknown[][];
  stats: { state: string };
  error?: { errorName: string; message: string };
}

async function drain(gw: string, sql: string, headers: Record<string, string> = {}): Promise<Page> {
  const h = { authorization, ...headers };
  let page = (await (
    await fetch(`${gw}/v1/statement`, { method: 'POST', body: sql, headers: h })
  ).json()) as Page;
  while (page.nextUri) page = (await (await fetch(page.nextUri, { headers: h })).json()) as Page;
  return page;
}

describe('the use case against clusters left at Trino 476 defaults: users authenticated by the gateway, clusters on http without authentication', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;
  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'trino-1' });
    b = await TrinoEmulator.start({ name: 'trino-2' });
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-1', url: a.url },
          { name: 'trino-2', url: b.url },
        ],
        { auth: await passwordAuth(['alice', 'pw']), groups: [{ name: 'adhoc', policy: 'round-robin' }] },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('runs queries with trino-client and presto-client, Basic over http, with no cluster setting', async () => {
    const t = await runTrino(gw.url, 'SELECT 1', { password: 'pw' });
    expect(t.error).toBeUndefined();
    expect(t.rows).toEqual([[1]]);
    const p = await runPresto(
      { host: '127.0.0.1', port: Number(new URL(gw.url).port), password: 'pw' },
      'SELECT 1',
    );
    expect(p.error).toBeUndefined();
    expect(p.rows).toEqual([[1]]);
    // No request reached a cluster with a forwarding header or a password.
    for (const r of [...a.requests, ...b.requests]) {
      expect(Object.keys(r.headers).filter((k) => k.startsWith('x-forwarded-'))).toEqual([]);
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it("puts the gateway's message in the reason phrase of a 401, the only part JDBC and the CLI show", async () => {
    const wrong = `Basic ${Buffer.from('alice:nope').toString('base64')}`;
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization: wrong },
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { message: string };
    expect(res.statusText).toBe(body.message);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it("answers JDBC's connection check (HEAD /v1/statement) with 405, as Trino does", async () => {
    const res = await fetch(`${gw.url}/v1/statement`, { method: 'HEAD', headers: { authorization } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    // What the cluster itself answers.
    expect((await fetch(`${a.url}/v1/statement`, { method: 'HEAD' })).status).toBe(405);
  });

  it('sends kill_query to the cluster that owns the query, whichever the routing would pick', async () => {
    for (let i = 0; i < 2; i++) {
      const first = (await (
        await fetch(`${gw.url}/v1/statement`, {
          method: 'POST',
          body: 'SELECT sleep(20000)',
          headers: { authorization },
        })
      ).json()) as Page;
      const owner = a.queries.has(first.id) ? a : b;
      const killed = await drain(
        gw.url,
        `CALL system.runtime.kill_query(query_id => '${first.id}', message => 'from superset')`,
      );
      expect(killed.error).toBeUndefined();
      expect(killed.stats.state).toBe('FINISHED');
      expect(owner.queries.get(first.id)?.state).toBe('FAILED');
      let page = first;
      while (page.nextUri)
        page = (await (await fetch(page.nextUri, { headers: { authorization } })).json()) as Page;
      expect(page.error).toMatchObject({
        errorName: 'ADMINISTRATIVELY_KILLED',
        message: 'Query killed. Message: from superset',
      });
    }
  });

  it('lets a cluster answer kill_query of an id no one knows, as Trino does', async () => {
    const page = await drain(
      gw.url,
      "CALL system.runtime.kill_query(query_id => '20261202_000000_00001_zzzzz')",
    );
    expect(page.error).toMatchObject({
      errorName: 'NOT_FOUND',
      message: 'Target query not found: 20261202_000000_00001_zzzzz',
    });
  });

  it('hands back a result value that starts with a cluster URL byte-identical', async () => {
    const value = `${a.url}/v1/statement/queued/20261202_000000_00001_zzzzz/yabc/1`;
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: `SELECT '${value}'`,
      headers: { authorization },
    });
    let page = (await res.json()) as Page;
    let raw = '';
    while (page.nextUri) {
      raw = await (await fetch(page.nextUri, { headers: { authorization } })).text();
      page = JSON.parse(raw) as Page;
    }
    expect(page.data).toEqual([[value]]);
    expect(raw).toContain(JSON.stringify(value));
  });
});

describe('a cluster with http-server.process-forwarded', () => {
  let accept: TrinoEmulator;
  let ignore: TrinoEmulator;
  let gw: TestGateway;
  beforeAll(async () => {
    accept = await TrinoEmulator.start({ name: 'accept', processForwarded: 'ACCEPT' });
    ignore = await TrinoEmulator.start({ name: 'ignore', processForwarded: 'IGNORE' });
    gw = await startGateway(
      testConfig(
        [
          { name: 'accept', url: accept.url, group: 'accept', processForwarded: true },
          { name: 'ignore', url: ignore.url, group: 'ignore', processForwarded: true },
        ],
        { auth: await passwordAuth(['alice', 'pw']) },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([accept?.stop(), ignore?.stop()]);
  });

  it.each(['accept', 'ignore'])(
    '(%s) receives X-Forwarded-* from the gateway view only, and its URLs lead back through the gateway',
    async (group) => {
      const emu = group === 'accept' ? accept : ignore;
      emu.clearRequests();
      const page = await drain(gw.url, 'SELECT 1', {
        'X-Trino-Routing-Group': group,
        'X-Forwarded-Prefix': '/evil',
        'X-Forwarded-Server': 'evil',
        'X-Forwarded-Port': '1',
        'X-Forwarded-Host': 'evil.example',
      });
      expect(page.data).toEqual([[1]]);
      const post = emu.requests.find((r) => r.method === 'POST' && r.url === '/v1/statement')!;
      expect(post.headers['x-forwarded-host']).toBe(new URL(gw.url).host);
      expect(post.headers['x-forwarded-proto']).toBe('http');
      expect(post.headers['x-forwarded-for']).toBe('127.0.0.1');
      for (const k of ['x-forwarded-prefix', 'x-forwarded-server', 'x-forwarded-port'])
        expect(post.headers[k], k).toBeUndefined();
    },
  );
});

describe('a gateway behind a path prefix (server.publicUrl with a path) and a cluster that processes forwarded headers', () => {
  let accept: TrinoEmulator;
  beforeAll(async () => {
    accept = await TrinoEmulator.start({ name: 'accept', processForwarded: 'ACCEPT' });
  });
  afterAll(() => accept?.stop());

  it('runs queries with trino-client and presto-client on it', async () => {
    const gw = await startGateway(
      testConfig([{ name: 'accept', url: accept.url, processForwarded: true }], {
        auth: await passwordAuth(['alice', 'pw']),
      }),
    );
    try {
      accept.clearRequests();
      const t = await runTrino(gw.url, 'SELECT * FROM UNNEST(sequence(1, 1500))', { password: 'pw' });
      expect(t.error).toBeUndefined();
      expect(t.rows).toHaveLength(1500);
      const p = await runPresto(
        { host: '127.0.0.1', port: Number(new URL(gw.url).port), password: 'pw' },
        'SELECT 1',
      );
      expect(p.error).toBeUndefined();
      expect(p.rows).toEqual([[1]]);
      const posts = accept.requests.filter((r) => r.url === '/v1/statement');
      expect(posts).toHaveLength(2);
      for (const r of posts) expect(r.headers['x-forwarded-host']).toBe(new URL(gw.url).host);
    } finally {
      await gw.stop();
    }
  });

  it('sends X-Forwarded-Prefix, and rewrites the URLs the cluster built with it', async () => {
    // The prefix a StripPrefix proxy removed; here the client talks to the gateway directly, so the
    // gateway's publicUrl path is what the cluster must put in front of its paths.
    const prefixed = await startGateway(
      testConfig([{ name: 'accept', url: accept.url, processForwarded: true }], {
        auth: await passwordAuth(['alice', 'pw']),
        server: { host: '127.0.0.1', port: 0, publicUrl: 'http://gw.example/trino' },
      }),
    );
    try {
      accept.clearRequests();
      const bound = `http://127.0.0.1:${prefixed.services.config.server.port}`;
      const res = await fetch(`${bound}/v1/statement`, {
        method: 'POST',
        body: 'SELECT 1',
        headers: { authorization },
      });
      const page = (await res.json()) as Page & { infoUri: string };
      const post = accept.requests.find((r) => r.method === 'POST' && r.url === '/v1/statement')!;
      expect(post.headers['x-forwarded-prefix']).toBe('/trino');
      expect(page.nextUri).toMatch(
        /^http:\/\/gw\.example\/trino\/v1\/statement\/queued\/[^/]+\/[^/]+~[^/]+\/1$/,
      );
      expect(page.infoUri.startsWith('http://gw.example/trino/ui/query.html?')).toBe(true);
    } finally {
      await prefixed.stop();
    }
  });
});

describe("a cluster's answers that are not Trino JSON", () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'strict' });
    // A gateway set up wrongly for this cluster: it claims the cluster processes forwarded headers.
    gw = await startGateway(
      testConfig([{ name: 'strict', url: emu.url, processForwarded: true }], {
        auth: await passwordAuth(['alice', 'pw']),
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  it("turn Jetty's HTML 406 into a failed query naming the cluster, its words and the setting", async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization },
    });
    expect(await failedQuery(res, { authorization })).toMatchObject({
      errorName: 'BACKEND_REFUSED',
      message:
        'backend strict answered 406: HTTP ERROR 406 Server configuration does not allow processing of the x-forwarded-for header (see backends[].processForwarded)',
    });
  });
});

describe('a cluster behind its own TLS load balancer (it advertises another origin than its url)', () => {
  let emu: TrinoEmulator;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'fronted', frontedBy: 'https://trino-lb.internal:8443' });
  });
  afterAll(() => emu?.stop());

  it.each([
    [false, 'refuses to hand out its URLs without advertisedUrls (another origin than its url)'],
    [true, 'rewrites its URLs with backends[].advertisedUrls, and its follow-ups reach it'],
  ])('%s: %s', async (advertised) => {
    const gw = await startGateway(
      testConfig(
        [
          {
            name: 'fronted',
            url: emu.url,
            ...(advertised ? { advertisedUrls: ['https://trino-lb.internal:8443'] } : {}),
          },
        ],
        { auth: await passwordAuth(['alice', 'pw']) },
      ),
    );
    try {
      const res = await fetch(`${gw.url}/v1/statement`, {
        method: 'POST',
        body: 'SELECT 1',
        headers: { authorization },
      });
      if (!advertised) {
        // Never an internal URL to the client: a failed query instead.
        const error = await failedQuery(res, { authorization });
        expect(JSON.stringify(error)).not.toContain('trino-lb.internal');
        expect(error).toMatchObject({ message: expect.stringContaining('another origin') });
        return;
      }
      const first = (await res.json()) as Page;
      expect(first.nextUri!.startsWith(`${gw.url}/v1/statement/queued/`)).toBe(true);
      let page = first;
      while (page.nextUri)
        page = (await (await fetch(page.nextUri, { headers: { authorization } })).json()) as Page;
      expect(page.data).toEqual([[1]]);
    } finally {
      await gw.stop();
    }
  });
});

describe("the cluster's web UI through the gateway", () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'ui' });
    gw = await startGateway(testConfig([{ name: 'ui', url: emu.url }]));
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  it("points the form login's absolute redirects at the gateway, and the UI cookie then opens /ui/api", async () => {
    const page = await fetch(`${gw.url}/ui/`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`${gw.url}/ui/login.html`);
    const login = await fetch(`${gw.url}/ui/login`, {
      method: 'POST',
      body: 'username=alice',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(`${gw.url}/ui/`);
    const cookie = login.headers
      .getSetCookie()
      .find((c) => /^sy[0-9a-f]{8}-Trino-UI-Token=/.test(c))!
      .split(';')[0];
    expect((await fetch(`${gw.url}/ui/api/stats`, { headers: { cookie } })).status).toBe(200);
  });
});
