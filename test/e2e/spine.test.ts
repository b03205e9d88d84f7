import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { runPresto, runTrino } from '../helpers/clients.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

/** The emulator that saw requests for a query id (every follow-up must land on exactly one). */
function owners(clusters: TrinoEmulator[], queryId: string): string[] {
  return clusters.filter((c) => c.requests.some((r) => r.url.includes(queryId))).map((c) => c.name);
}

describe('a real Trino client pointed at one URL', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'trino-1', queuedPages: 2, executingPages: 2, rowsPerPage: 100 });
    b = await TrinoEmulator.start({
      name: 'trino-2',
      queuedPages: 2,
      executingPages: 2,
      rowsPerPage: 100,
      processForwarded: true,
    });
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-1', url: a.url },
          { name: 'trino-2', url: b.url, processForwarded: true },
        ],
        // Round-robin, so that queries reach both clusters for certain (least-loaded breaks ties at
        // random: six queries all landed on one cluster about once in 32 runs).
        { groups: [{ name: 'adhoc', policy: 'round-robin' }] },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('runs SELECT 1 to completion with trino-client', async () => {
    const r = await runTrino(gw.url, 'SELECT 1');
    expect(r.error).toBeUndefined();
    expect(r.rows).toEqual([[1]]);
    expect(owners([a, b], r.queryId!)).toHaveLength(1);
  });

  it('keeps every page of a multi-page query on one cluster, whether or not it processes X-Forwarded-*', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await runTrino(gw.url, 'SELECT * FROM UNNEST(sequence(1, 450))');
      expect(r.rows).toHaveLength(450);
      expect(r.rows.at(-1)).toEqual([450]);
      const o = owners([a, b], r.queryId!);
      expect(o).toHaveLength(1);
      seen.add(o[0]);
    }
    expect(seen.size).toBe(2);
  });

  it('hands the client URLs that point at the gateway, never at a cluster', async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'X-Trino-User': 'alice' },
    });
    const page = (await res.json()) as { nextUri: string; infoUri: string };
    expect(page.nextUri.startsWith(`${gw.url}/v1/statement/queued/`)).toBe(true);
    expect(page.infoUri.startsWith(gw.url)).toBe(true);
    expect(JSON.stringify(page)).not.toContain(a.url);
    expect(JSON.stringify(page)).not.toContain(b.url);
  });

  it("shows a failing query with Trino's error name and message", async () => {
    const r = await runTrino(gw.url, 'SELECT * FROM nosuchcatalog.s.t');
    expect(r.error?.errorName).toBe('CATALOG_NOT_FOUND');
    expect(r.error?.message).toMatch(/nosuchcatalog/);
    const p = await runPresto(
      { host: '127.0.0.1', port: Number(new URL(gw.url).port) },
      'SELECT * FROM nosuchcatalog.s.t',
    );
    expect(p.error?.message ?? '').toMatch(/nosuchcatalog/);
  });

  it('runs a query with presto-client, whose polls carry no user header', async () => {
    const r = await runPresto(
      { host: '127.0.0.1', port: Number(new URL(gw.url).port) },
      'SELECT * FROM UNNEST(sequence(1, 250))',
    );
    expect(r.rows).toHaveLength(250);
    expect(owners([a, b], r.queryId!)).toHaveLength(1);
  });

  it('cancels a running query with trino-client (DELETE /v1/query/{id}) on the owning cluster', async () => {
    const { Trino, BasicAuth } = await import('trino-client');
    const trino = Trino.create({ server: gw.url, auth: new BasicAuth('alice') });
    const iter = await trino.query('SELECT sleep(20000)');
    const id = [...a.queries.values(), ...b.queries.values()].find(
      (q) => q.sql === 'SELECT sleep(20000)' && q.state !== 'FAILED',
    )!.id;
    await trino.cancel(id);
    let error: { errorName?: string } | undefined;
    for await (const page of iter) error ??= page.error;
    expect(error?.errorName).toBe('USER_CANCELED');
    const owner = [a, b].find((c) => c.queries.has(id))!;
    expect(owner.requests.some((r) => r.method === 'DELETE' && r.url === `/v1/query/${id}`)).toBe(true);
    await expect.poll(() => owner.queries.get(id)?.state).toBe('FAILED');
  });

  it('cancels a running query with presto-client (absolute-form DELETE of nextUri) on the owning cluster', async () => {
    let polls = 0;
    const r = await runPresto(
      { host: '127.0.0.1', port: Number(new URL(gw.url).port) },
      'SELECT sleep(20000)',
      {
        cancel: () => ++polls > 2,
      },
    );
    expect(r.error?.message).toMatch(/canceled/);
    const owner = [a, b].find((c) => c.queries.has(r.queryId!))!;
    expect(owner.requests.some((x) => x.method === 'DELETE' && x.url.includes(r.queryId!))).toBe(true);
  });

  it('answers an unknown follow-up with a Trino-shaped 404 and never guesses a cluster', async () => {
    const before = a.requests.length + b.requests.length;
    for (const path of [
      '/v1/statement/executing/20240101_000000_00000_zzzzz/y1/1',
      '/v1/query/20240101_000000_00000_zzzzz',
      '/v1/statement/executing/20240101_000000_00000_zzzzz/y1~Zm9yZ2Vk.AAAAAAAAAAAAAAAA/1',
    ]) {
      const res = await fetch(gw.url + path);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ errorName: 'QUERY_NOT_FOUND', errorType: 'USER_ERROR' });
    }
    expect(a.requests.length + b.requests.length).toBe(before);
  });
});
