import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

describe('protocol details through the gateway', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    // Knobs for the tests about them: the Presto header family (protocol.v1.alternate-header-name) and
    // spooled segments served by the coordinator (protocol.spooling.retrieval-mode).
    const knobs = {
      queuedPages: 0,
      executingPages: 0,
      alternateHeaderName: 'Presto',
      spooling: { retrievalMode: 'COORDINATOR_PROXY' as const },
    };
    a = await TrinoEmulator.start({ name: 'trino-1', ...knobs });
    b = await TrinoEmulator.start({ name: 'trino-2', ...knobs });
    gw = await startGateway(
      testConfig([
        { name: 'trino-1', url: a.url },
        { name: 'trino-2', url: b.url },
      ]),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const post = (sql: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { 'X-Trino-User': 'alice', ...headers },
    });

  async function drain(
    first: Response,
  ): Promise<{ id: string; pages: number; txn?: string; error?: object }> {
    let page = (await first.json()) as { id: string; nextUri?: string; error?: object };
    let txn = first.headers.get('x-trino-started-transaction-id') ?? undefined;
    let pages = 1;
    while (page.nextUri) {
      const res = await fetch(page.nextUri);
      txn ??= res.headers.get('x-trino-started-transaction-id') ?? undefined;
      page = (await res.json()) as typeof page;
      pages++;
    }
    return { id: page.id, pages, txn, error: page.error };
  }

  it('takes none of the forwarding headers a client sent to a cluster left at its defaults', async () => {
    a.clearRequests();
    b.clearRequests();
    const res = await post('SELECT 1', {
      'X-Forwarded-For': '6.6.6.6',
      'X-Forwarded-Host': 'evil.example',
      'X-Forwarded-Prefix': '/evil',
      'X-Forwarded-Server': 'evil',
      'X-Forwarded-Port': '1',
      'X-Forwarded-Anything': 'x',
      Forwarded: 'for=6.6.6.6',
      'X-Real-IP': '6.6.6.6',
    });
    expect(res.status).toBe(200);
    await drain(res);
    const req = [...a.requests, ...b.requests].find((r) => r.method === 'POST')!;
    const names = Object.keys(req.headers).filter((k) => /^(x-forwarded-|forwarded$|x-real-ip$)/.test(k));
    expect(names).toEqual([]);
  });

  it('renames the Presto header family to X-Trino-* for a cluster with the alternate name set, and answers in it', async () => {
    a.clearRequests();
    b.clearRequests();
    const h = { 'X-Presto-User': 'alice', 'X-Presto-Source': 'legacy', 'X-Presto-Catalog': 'tpch' };
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: "SET SESSION query_max_run_time = '1h'",
      headers: h,
    });
    let page = (await res.json()) as { nextUri?: string };
    const answers = [res.headers];
    while (page.nextUri) {
      const r = await fetch(page.nextUri, { headers: h });
      answers.push(r.headers);
      page = (await r.json()) as { nextUri?: string };
    }
    const req = [...a.requests, ...b.requests].find((r) => r.method === 'POST')!;
    // One family reaches the cluster (a mix would be refused: "Both Trino and Presto headers detected").
    expect(req.headers['x-trino-user']).toBe('alice');
    expect(req.headers['x-trino-source']).toBe('legacy');
    expect(Object.keys(req.headers).filter((k) => k.startsWith('x-presto-'))).toEqual([]);
    expect(answers.map((a) => a.get('x-presto-set-session')).filter(Boolean)).toEqual([
      'query_max_run_time=1h',
    ]);
  });

  it('gzips a large statement page for a client that accepts gzip, and rewrites its URLs', async () => {
    const first = (await (await post('SELECT large_page(200000)')).json()) as { nextUri: string };
    let uri: string | undefined = first.nextUri;
    let sawGzip = false;
    while (uri) {
      const res = await fetch(uri, { headers: { 'Accept-Encoding': 'gzip' } });
      if (res.headers.get('content-encoding') === 'gzip') sawGzip = true;
      const page = (await res.json()) as { nextUri?: string };
      if (page.nextUri) expect(page.nextUri.startsWith(gw.url)).toBe(true);
      uri = page.nextUri;
    }
    expect(sawGzip).toBe(true);
    // and the cluster was asked for identity, so its URLs could be rewritten
    expect(
      [...a.requests, ...b.requests]
        .filter((r) => r.method === 'GET')
        .every((r) => !r.headers['accept-encoding']),
    ).toBe(true);
  });

  it('shows trino-client the error of a statement the gateway fails (trino-js reads no first page)', async () => {
    const { Trino, BasicAuth } = await import('trino-client');
    const trino = Trino.create({
      server: gw.url,
      auth: new BasicAuth('alice'),
      extraHeaders: { 'X-Trino-Transaction-Id': '9f1c3c2e-0000-4000-8000-000000000000' },
    });
    const errors: unknown[] = [];
    for await (const page of await trino.query('SELECT 1')) if (page.error) errors.push(page.error);
    expect(errors).toEqual([expect.objectContaining({ errorName: 'UNKNOWN_TRANSACTION', errorCode: 20 })]);
  });

  it('keeps every statement of a transaction on the backend that started it', async () => {
    const { txn } = await drain(await post('START TRANSACTION'));
    expect(txn).toBeTruthy();
    const owner = [a, b].find((c) => [...c.queries.values()].some((q) => q.sql === 'START TRANSACTION'))!;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push((await drain(await post('SELECT 1', { 'X-Trino-Transaction-Id': txn! }))).id);
    for (const id of ids) expect(owner.queries.has(id)).toBe(true);
    const commit = await post('COMMIT', { 'X-Trino-Transaction-Id': txn! });
    await drain(commit);
    // As Trino answers it: the query fails (HTTP 200), UNKNOWN_TRANSACTION on the page after the first.
    const after = await post('SELECT 1', { 'X-Trino-Transaction-Id': txn! });
    expect(after.status).toBe(200);
    const failed = await drain(after);
    expect(failed.pages).toBe(2);
    expect(failed.error).toMatchObject({
      errorName: 'UNKNOWN_TRANSACTION',
      errorCode: 20,
      errorType: 'USER_ERROR',
    });
  });

  it.each([
    ['GET', '/v1/statement', 405],
    ['GET', '/v1/bogus', 404],
    ['GET', '/v1/statement/queued/NOT-AN-ID/x/1', 400],
    ['GET', '/v1/spooled/download/seg-without-handle', 404],
  ])('answers %s %s with %i in Trino error JSON', async (method, path, status) => {
    const res = await fetch(gw.url + path, { method, headers: { 'X-Trino-User': 'alice' } });
    expect(res.status).toBe(status);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toHaveProperty('errorName');
    expect(body).toHaveProperty('errorType');
    expect(body).toHaveProperty('message');
  });

  it.each(['/ui/../v1/info', '/ui/%2e%2e/v1/info', '/ui/..\\v1'])(
    'refuses path traversal %s with 400',
    async (p) => {
      const res = await rawRequest(
        Number(new URL(gw.url).port),
        `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(400);
      expect(res.body).toContain('errorName');
    },
  );

  it('refuses query text over the limit with 413', async () => {
    const res = await post('SELECT ' + '1,'.repeat(2_500_000) + '1');
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ errorName: 'QUERY_TEXT_TOO_LARGE' });
  });

  it('gives 502 in Trino JSON when the owning cluster refuses a poll', async () => {
    const first = (await (await post('SELECT sleep(5000)')).json()) as { id: string; nextUri: string };
    const owner = a.queries.has(first.id) ? a : b;
    owner.setMode('refuse');
    try {
      const res = await fetch(first.nextUri);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ errorName: 'BACKEND_UNREACHABLE' });
    } finally {
      owner.setMode('ok');
    }
  });

  it('decompresses nothing it passes through untouched: spooled segments keep their bytes', async () => {
    const first = (await (
      await post('SELECT binary_segment(100000)', { 'X-Trino-Query-Data-Encoding': 'json' })
    ).json()) as { nextUri?: string };
    let uri = first.nextUri;
    let segUri: string | undefined;
    let segHeaders: Record<string, string> = {};
    while (uri && !segUri) {
      const page = (await (await fetch(uri)).json()) as {
        nextUri?: string;
        data?: { segments?: Array<{ type: string; uri: string; headers: Record<string, string[]> }> };
      };
      const seg = page.data?.segments?.find((s) => s.type === 'spooled');
      segUri = seg?.uri;
      segHeaders = Object.fromEntries(Object.entries(seg?.headers ?? {}).map(([k, v]) => [k, v[0]]));
      uri = page.nextUri;
    }
    expect(segUri?.startsWith(gw.url)).toBe(true);
    const via = Buffer.from(await (await fetch(segUri!, { headers: segHeaders })).arrayBuffer());
    const u = new URL(segUri!);
    const directPath = u.pathname.replace(/~[^/]+$/, '');
    const direct = await Promise.any(
      [a, b].map(async (c) => {
        const r = await fetch(c.url + directPath, { headers: segHeaders });
        if (!r.ok) throw new Error('not here');
        return Buffer.from(await r.arrayBuffer());
      }),
    );
    expect(via.equals(direct)).toBe(true);
    expect(via.length).toBeGreaterThanOrEqual(100000);
  });

  it('relays a poll whatever framing the client used for a body', async () => {
    const { nextUri } = (await (await post('SELECT sleep(2000)')).json()) as { nextUri: string };
    const u = new URL(nextUri);
    const port = Number(new URL(gw.url).port);
    const head = `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n`;
    for (const raw of [
      `${head}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      `${head}Content-Length: 3\r\n\r\nabc`,
    ]) {
      const res = await rawRequest(port, raw);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toHaveProperty('id');
    }
  });

  it("answers a poll with the gateway's own connection headers, never the cluster's", async () => {
    const { nextUri } = (await (await post('SELECT sleep(2000)')).json()) as { nextUri: string };
    const u = new URL(nextUri);
    const port = Number(new URL(gw.url).port);
    const poll = (connection: string) =>
      rawRequest(port, `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: ${connection}\r\n\r\n`);
    // The emulated cluster (a Node server) sends `Keep-Alive: timeout=30`; the gateway's own is 65 s.
    const kept = await poll('keep-alive');
    expect(kept.status).toBe(200);
    expect(kept.head.match(/^keep-alive:.*$/gim)).toEqual(['Keep-Alive: timeout=65']);
    expect(kept.head).toMatch(/^connection: keep-alive$/im);
    const closed = await poll('close');
    expect(closed.status).toBe(200);
    expect(closed.head).toMatch(/^connection: close$/im);
    expect(closed.head).not.toMatch(/^keep-alive:/im);
  });

  it('tags protocol answers with a request id and logs each request once at debug', async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'X-Trino-User': 'rid', 'X-Request-Id': 'client-trace-7' },
    });
    expect(res.headers.get('x-request-id')).toBe('client-trace-7');
    const { nextUri } = (await res.json()) as { nextUri: string };
    const poll = await fetch(nextUri, { headers: { 'X-Trino-User': 'rid' } });
    await poll.text();
    const generated = poll.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    const empty = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: '  ',
      headers: { 'X-Trino-User': 'rid' },
    });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ errorName: 'BAD_REQUEST', message: 'SQL statement is empty' });
    // Error answers and answers relayed as they are carry one too.
    expect(empty.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    const info = await fetch(`${gw.url}/v1/info`, { headers: { 'X-Request-Id': 'info-trace' } });
    await info.text();
    expect(info.headers.get('x-request-id')).toBe('info-trace');
    await new Promise((r) => setTimeout(r, 20));
    const lines = gw
      .logs()
      .split('\n')
      .filter((l) => l.includes('"protocol request"'))
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.reqId === 'client-trace-7')).toMatchObject({
      route: 'statement',
      status: 200,
    });
    expect(lines.find((l) => l.reqId === generated)).toMatchObject({ route: 'followup', status: 200 });
  });
});
