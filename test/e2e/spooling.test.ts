import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator, type RetrievalMode } from '../helpers/trino-emulator/index.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

interface Segment {
  type: 'inline' | 'spooled';
  data?: string;
  uri?: string;
  ackUri?: string;
  metadata: { rowOffset: number; rowsCount: number; segmentSize: number };
  headers?: Record<string, string[]>;
}
interface Page {
  id: string;
  nextUri?: string;
  data?: unknown[][] | { encoding: string; segments: Segment[] };
  error?: { message: string };
}

const authorization = `Basic ${Buffer.from('alice:pw').toString('base64')}`;

/**
 * spooledQuery runs a statement the way StatementClientV1 with OkHttpSegmentLoader and
 * trino-python-client do: polls carry credentials; segments are fetched from `uri` with only their own
 * `headers` (an unauthenticated client that follows redirects), then acknowledged with a GET of `ackUri`.
 */
async function spooledQuery(gw: string, sql: string, encoding = 'json+zstd,json+lz4,json') {
  const headers = { authorization, 'X-Trino-Query-Data-Encoding': encoding };
  let res = await fetch(`${gw}/v1/statement`, { method: 'POST', body: sql, headers });
  const encodingHeader = res.headers.get('x-trino-query-data-encoding');
  let page = (await res.json()) as Page;
  const rows: unknown[][] = [];
  const redirects: string[] = [];
  const uris: string[] = [];
  for (;;) {
    if (page.error) throw new Error(page.error.message);
    const d = page.data;
    if (Array.isArray(d)) rows.push(...d);
    else if (d)
      for (const s of d.segments) {
        if (s.type === 'inline') rows.push(...(JSON.parse(Buffer.from(s.data!, 'base64').toString()) as []));
        else {
          uris.push(s.uri!, s.ackUri!);
          const own = Object.fromEntries(Object.entries(s.headers ?? {}).map(([k, v]) => [k, v.join(',')]));
          let r = await fetch(s.uri!, { headers: own, redirect: 'manual' });
          if (r.status === 303) {
            redirects.push(r.headers.get('location')!);
            r = await fetch(r.headers.get('location')!, { headers: own, redirect: 'manual' });
          }
          expect(r.status).toBe(200);
          rows.push(...((await r.json()) as []));
          expect((await fetch(s.ackUri!)).status).toBe(200);
        }
      }
    if (!page.nextUri) break;
    res = await fetch(page.nextUri, { headers });
    page = (await res.json()) as Page;
  }
  return { rows, redirects, uris, encodingHeader, last: page };
}

describe.each<RetrievalMode>([
  'COORDINATOR_PROXY',
  'WORKER_PROXY',
  'STORAGE',
  'COORDINATOR_STORAGE_REDIRECT',
])(
  'spooled results with protocol.spooling.retrieval-mode=%s through a gateway with password users',
  (mode) => {
    let emu: TrinoEmulator;
    let gw: TestGateway;
    beforeAll(async () => {
      emu = await TrinoEmulator.start({
        name: 'trino-1',
        rowsPerPage: 100,
        spooling: { retrievalMode: mode },
      });
      gw = await startGateway(
        testConfig([{ name: 'trino-1', url: emu.url }], { auth: await passwordAuth(['alice', 'pw']) }),
      );
    });
    afterAll(async () => {
      await gw?.stop();
      await emu?.stop();
    });

    it('downloads and acknowledges every segment without credentials, and gets every row', async () => {
      const r = await spooledQuery(gw.url, 'SELECT * FROM UNNEST(sequence(1, 250))');
      expect(r.rows).toEqual(Array.from({ length: 250 }, (_, i) => [i + 1]));
      expect(r.encodingHeader).toBe('json');
      expect(emu.segments!.acks).toBe(3);
      expect(emu.segments!.size).toBe(0);
      // Segment URLs point at the gateway, except direct object-storage URIs.
      for (const u of r.uris)
        if (mode === 'STORAGE' && u.includes('/spool/')) expect(u.startsWith(gw.url)).toBe(false);
        else expect(u.startsWith(gw.url)).toBe(true);
      if (mode === 'WORKER_PROXY') {
        // The 303 to a worker comes back pointing at the gateway, which relays to that worker.
        expect(r.redirects).toHaveLength(3);
        for (const l of r.redirects) expect(l.startsWith(`${gw.url}/v1/spooled/download/`)).toBe(true);
        expect(emu.segments!.sideDownloads).toBe(3);
      }
      if (mode === 'COORDINATOR_STORAGE_REDIRECT') {
        expect(r.redirects).toHaveLength(3);
        for (const l of r.redirects) expect(l.startsWith(gw.url)).toBe(false);
      }
      // Nothing reached the cluster's segment endpoints with credentials.
      for (const q of emu.requests.filter((x) => x.url.startsWith('/v1/spooled/')))
        expect(q.headers.authorization).toBeUndefined();
    });

    it('refuses a segment path whose handle was not signed by the gateway', async () => {
      const res = await fetch(
        `${gw.url}/v1/spooled/download/x~${Buffer.from('trino-1@http://10.0.0.1:1').toString('base64url')}.forged`,
      );
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ errorName: 'NOT_FOUND' });
    });
  },
);

describe('spooling negotiation', () => {
  let inline: TrinoEmulator;
  let direct: TrinoEmulator;
  let gw: TestGateway;
  beforeAll(async () => {
    inline = await TrinoEmulator.start({
      name: 'inline',
      rowsPerPage: 100,
      spooling: { retrievalMode: 'COORDINATOR_PROXY', inlineMaxRows: 1000 },
    });
    direct = await TrinoEmulator.start({ name: 'direct', rowsPerPage: 100 });
    gw = await startGateway(
      testConfig(
        [
          { name: 'inline', url: inline.url, group: 'inline' },
          { name: 'direct', url: direct.url, group: 'direct' },
        ],
        { auth: await passwordAuth(['alice', 'pw']) },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([inline?.stop(), direct?.stop()]);
  });

  it('carries small pages inline, base64 with their metadata', async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT * FROM UNNEST(sequence(1, 50))',
      headers: { authorization, 'X-Trino-Query-Data-Encoding': 'json', 'X-Trino-Routing-Group': 'inline' },
    });
    let page = (await res.json()) as Page;
    while (page.nextUri && !page.data)
      page = (await (await fetch(page.nextUri, { headers: { authorization } })).json()) as Page;
    const d = page.data as { encoding: string; segments: Segment[] };
    expect(d.encoding).toBe('json');
    expect(d.segments[0]).toMatchObject({ type: 'inline', metadata: { rowOffset: 0, rowsCount: 50 } });
  });

  it('falls back to the direct protocol on a cluster without a spooling manager, or for an unknown encoding', async () => {
    const noManager = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization, 'X-Trino-Query-Data-Encoding': 'json', 'X-Trino-Routing-Group': 'direct' },
    });
    expect(noManager.headers.get('x-trino-query-data-encoding')).toBeNull();
    let page = (await noManager.json()) as Page;
    while (page.nextUri)
      page = (await (await fetch(page.nextUri, { headers: { authorization } })).json()) as Page;
    expect(page.data).toEqual([[1]]);
    const unknown = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: {
        authorization,
        'X-Trino-Query-Data-Encoding': 'arrow+zstd',
        'X-Trino-Routing-Group': 'inline',
      },
    });
    expect(unknown.headers.get('x-trino-query-data-encoding')).toBeNull();
  });
});

describe('a spooled segment whose download breaks off', () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({
      name: 'trino-1',
      rowsPerPage: 100,
      spooling: { retrievalMode: 'COORDINATOR_PROXY' },
    });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], { auth: await passwordAuth(['alice', 'pw']) }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  it('cuts the client off (never a hang, never a 500), and the next download works', async () => {
    const headers = { authorization, 'X-Trino-Query-Data-Encoding': 'json' };
    let page = (await (
      await fetch(`${gw.url}/v1/statement`, {
        method: 'POST',
        body: 'SELECT * FROM UNNEST(sequence(1, 250))',
        headers,
      })
    ).json()) as Page;
    let segment: Segment | undefined;
    while (!segment && page.nextUri) {
      page = (await (await fetch(page.nextUri, { headers })).json()) as Page;
      const d = page.data;
      if (d && !Array.isArray(d)) segment = d.segments.find((s) => s.type === 'spooled');
    }
    expect(segment?.uri?.startsWith(gw.url)).toBe(true);
    const own = Object.fromEntries(Object.entries(segment!.headers ?? {}).map(([k, v]) => [k, v.join(',')]));
    // The cluster sends a head promising 1000 bytes, a few of them, then resets the connection.
    emu.setMode('truncate');
    try {
      const res = await fetch(segment!.uri!, { headers: own });
      expect(res.status).not.toBe(500);
      await expect(res.arrayBuffer()).rejects.toThrow();
    } finally {
      emu.setMode('ok');
    }
    const again = await fetch(segment!.uri!, { headers: own });
    expect(again.status).toBe(200);
    expect(((await again.json()) as unknown[]).length).toBeGreaterThan(0);
  });
});
