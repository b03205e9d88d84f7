import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { failedQuery } from '../helpers/failed-query.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/**
 * How the gateway's own exchanges (submissions and polls, sent through the backends' undici pools) fail:
 * a cluster that hangs, refuses or answers 503, and a client that goes away. Health probes run once at
 * start only, so both clusters stay HEALTHY in the gateway's eyes and every failure reaches the proxy.
 */
describe('upstream failures on the statement path', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;
  const clusters = () => [a, b];

  beforeAll(async () => {
    [a, b] = await Promise.all([TrinoEmulator.start({ name: 'a' }), TrinoEmulator.start({ name: 'b' })]);
    gw = await startGateway(
      testConfig(
        [
          { name: 'a', url: a.url },
          { name: 'b', url: b.url },
        ],
        {
          proxy: { upstreamTimeoutMs: 400 },
          health: { intervalSeconds: 3600, timeoutSeconds: 2, healthyThreshold: 1, unhealthyThreshold: 1 },
        },
      ),
    );
    const deadline = Date.now() + 5_000;
    while (['a', 'b'].some((n) => gw.services.registry.get(n)!.health !== 'HEALTHY') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all(clusters().map((c) => c?.stop()));
  });
  /** reset brings both clusters back, also in the gateway's eyes (a refused or reset poll marks one down). */
  const reset = () => {
    for (const c of clusters()) c.setMode('ok');
    for (const n of ['a', 'b']) gw.services.registry.get(n)!.health = 'HEALTHY';
  };

  const post = (sql: string) =>
    fetch(`${gw.url}/v1/statement`, { method: 'POST', body: sql, headers: { 'X-Trino-User': 'alice' } });
  const ownerOf = (id: string) => clusters().find((c) => c.queries.has(id))!;

  it.each(['hang', 'truncate'] as const)(
    'answers a submission its cluster may have started (%s) with a failed query, never a status clients POST again on',
    async (mode) => {
      a.setMode(mode);
      b.setMode(mode);
      try {
        const res = await post('SELECT 1');
        // trino-python-client POSTs again on 502/503/504: a statement that may run must not come back so.
        expect(res.status).toBe(200);
        type Page = { id: string; nextUri?: string; stats: { state: string }; error?: object };
        // Trino's shape: a first page leading on (trino-js reads only its nextUri), then the failed one.
        const first = (await res.json()) as Page;
        expect(first.stats.state).toBe('QUEUED');
        expect(first.error).toBeUndefined();
        const poll = await fetch(first.nextUri!, { headers: { 'X-Trino-User': 'alice' } });
        expect(poll.status).toBe(200);
        const page = (await poll.json()) as Page;
        expect(page.id).toBe(first.id);
        expect(page.nextUri).toBeUndefined();
        expect(page.stats.state).toBe('FAILED');
        expect(page.error).toMatchObject({
          errorName: mode === 'hang' ? 'BACKEND_TIMEOUT' : 'BACKEND_UNREACHABLE',
          message: expect.stringContaining('may have started there'),
        });
      } finally {
        reset();
      }
    },
  );

  it('answers a poll the owning cluster never answers with 504 in Trino JSON', async () => {
    const first = (await (await post('SELECT sleep(5000)')).json()) as { id: string; nextUri: string };
    ownerOf(first.id).setMode('hang');
    try {
      const res = await fetch(first.nextUri);
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ errorName: 'BACKEND_TIMEOUT', errorType: 'EXTERNAL' });
    } finally {
      reset();
    }
  });

  it('aborts the upstream request when the client goes away mid-poll', async () => {
    const first = (await (await post('SELECT sleep(5000)')).json()) as { id: string; nextUri: string };
    const owner = ownerOf(first.id);
    owner.setMode('hang');
    try {
      const before = owner.hungClosed;
      const gone = new AbortController();
      const poll = fetch(first.nextUri, { signal: gone.signal }).catch((e: Error) => e);
      await expect.poll(() => owner.requests.at(-1)?.url.includes(first.id), { timeout: 2_000 }).toBe(true);
      gone.abort();
      expect(await poll).toBeInstanceOf(Error);
      // Well before the 400 ms upstream timeout would have closed it anyway.
      await expect.poll(() => owner.hungClosed, { timeout: 300, interval: 10 }).toBe(before + 1);
    } finally {
      reset();
    }
  });

  it('answers a poll whose cluster breaks off after the response head with 502, not a reset', async () => {
    const first = (await (await post('SELECT sleep(5000)')).json()) as { id: string; nextUri: string };
    ownerOf(first.id).setMode('truncate');
    try {
      const res = await fetch(first.nextUri);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ errorName: 'BACKEND_UNREACHABLE' });
    } finally {
      reset();
    }
  });

  /** bigPage submits a query with a large page and returns the URL of that page (same token = same page). */
  async function bigPage(bytes: number): Promise<{ uri: string; owner: TrinoEmulator }> {
    const first = (await (await post(`SELECT large_page(${bytes})`)).json()) as {
      id: string;
      nextUri: string;
    };
    let uri = first.nextUri;
    for (;;) {
      const text = await (await fetch(uri)).text();
      if (text.length >= bytes) return { uri, owner: ownerOf(first.id) };
      uri = /"nextUri":"([^"]+)"/.exec(text)![1];
    }
  }

  /** stall reads the first chunk of uri's body, then nothing: a client that stopped reading. */
  function stall(uri: string): http.ClientRequest {
    const req = http.get(uri, (res) => res.once('data', () => res.pause()));
    req.on('error', () => undefined);
    return req;
  }

  it('cuts off a client that stops reading a large page, and frees the cluster connection', async () => {
    const { uri, owner } = await bigPage(16 << 20);
    const pool = gw.services.registry.get(owner === a ? 'a' : 'b')!.pool;
    const req = stall(uri);
    try {
      // Held back while the client does not read (undici's own body timeout does not run while paused)…
      await expect.poll(() => pool.stats.running, { timeout: 2_000 }).toBe(1);
      // …and let go once the client read nothing for upstreamTimeoutMs.
      await expect.poll(() => pool.stats.running, { timeout: 5_000 }).toBe(0);
    } finally {
      req.destroy();
    }
  });

  it('survives a stalled client on a page its cluster sends with Connection: close', async () => {
    // Small enough that the cluster sends all of it and closes while the gateway holds the client's share.
    const { uri, owner } = await bigPage(3 << 20);
    owner.closeLargePages = true;
    const req = stall(uri);
    try {
      // undici 7 cannot pause such a response; the gateway must not try (it would throw out of undici).
      await new Promise((r) => setTimeout(r, 1_500));
      const res = await fetch(`${gw.url}/v1/info`);
      expect(res.status).toBe(200);
    } finally {
      req.destroy();
      owner.closeLargePages = false;
    }
  });

  it.each(['unavailable', 'refuse'] as const)(
    'retries a submission its cluster answers %s on the other cluster of the group, once',
    async (mode) => {
      a.setMode(mode);
      try {
        for (let i = 0; i < 4; i++) {
          const res = await post('SELECT 1');
          expect(res.status).toBe(200);
          const page = (await res.json()) as { id: string };
          expect(b.queries.has(page.id)).toBe(true);
        }
        // With both down, the one retry fails too: the statement never ran, and the refusal is a failed
        // query naming it, as Trino fails a query it cannot start.
        b.setMode(mode);
        const error = await failedQuery(await post('SELECT 1'), { 'X-Trino-User': 'alice' });
        expect(error.errorName).toBe(mode === 'refuse' ? 'BACKEND_UNREACHABLE' : 'NO_NODES_AVAILABLE');
        const sent = (c: TrinoEmulator) => c.requests.filter((r) => r.method === 'POST').length;
        const before = [sent(a), sent(b)];
        await post('SELECT 1');
        // One try on each, never more. (A refusing cluster records no request.)
        expect(sent(a) - before[0] + sent(b) - before[1]).toBe(mode === 'refuse' ? 0 : 2);
      } finally {
        reset();
      }
    },
  );
});
