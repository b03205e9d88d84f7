import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/**
 * Cluster death under load: one of three clusters dies while queries run on all three. Its in-flight
 * queries end with Trino-shaped errors (never a hang), no new query reaches it after detection, the other
 * clusters' queries are unaffected; when it comes back (having forgotten its in-memory catalogs) its
 * catalogs are reconciled and traffic resumes.
 */
/** Far below the gateway's upstream timeout, far above a poll on a loaded machine. */
const HANG_MS = 45_000;

describe('a cluster dies under load', () => {
  const ts: TrinoEmulator[] = [];
  let gw: TestGateway;

  beforeAll(async () => {
    for (const name of ['t1', 't2', 't3'])
      ts.push(await TrinoEmulator.start({ name, executingPages: 6, rowsPerPage: 5 }));
    for (const t of ts) t.setDelay(15);
    gw = await startGateway(
      testConfig(
        ts.map((t, i) => ({ name: `t${i + 1}`, url: t.url })),
        {
          // A dead cluster refuses at once; the generous timeout keeps a loaded machine's slow probe of a live
          // cluster from marking it down (which sent submissions a 503 now and then).
          health: { intervalSeconds: 0.2, timeoutSeconds: 5, healthyThreshold: 1, unhealthyThreshold: 1 },
          catalogs: { reconcileIntervalSeconds: 0.5 },
          // Its default, stated: a poll the gateway let hang would outlast HANG_MS and fail the test.
          proxy: { lostQueryGraceSeconds: 0.3, upstreamTimeoutMs: 120_000 },
          auth: { mode: 'none', headerUsers: { groups: ['*'], roles: ['admin', 'user'] } },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all(ts.map((t) => t.stop()));
  });

  /**
   * run drives one query with raw protocol requests; returns where it ran and how it ended. With `park`,
   * the client stops after its first poll (the query is mid-way: executing pages remain), calls
   * `parked` and waits for `park` before polling on, so the test acts on events, never on a guessed delay.
   */
  async function run(
    i: number,
    hold?: { parked: () => void; park: Promise<void> },
  ): Promise<{ cluster?: string; ok: boolean; error?: any; status?: number; polls: number }> {
    const headers = { 'x-trino-user': `u${i}` };
    let res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      headers,
      body: 'SELECT * FROM UNNEST(sequence(1, 60))',
    });
    let page: any = await res.json();
    if (res.status !== 200) return { ok: false, status: res.status, error: page, polls: 0 };
    const cluster = await ownerOf(page.id);
    let polls = 0;
    for (;;) {
      if (page.error) return { cluster, ok: false, error: page.error, status: res.status, polls };
      if (!page.nextUri) return { cluster, ok: true, polls };
      if (hold && polls === 1) {
        hold.parked();
        await hold.park;
      }
      // A bound that tells a hang (the gateway's upstream timeout is 2 minutes) from a slow poll: no poll
      // must wait on a dead cluster, but on a loaded machine a live one's poll can take seconds (10 s failed
      // 1 run in 10 at load 16).
      res = await fetch(page.nextUri, { headers, signal: AbortSignal.timeout(HANG_MS) });
      polls++;
      const text = await res.text();
      try {
        page = JSON.parse(text);
      } catch {
        return { cluster, ok: false, status: res.status, error: { notJson: text.slice(0, 200) }, polls };
      }
      if (res.status !== 200) return { cluster, ok: false, status: res.status, error: page, polls };
    }
  }

  /** ownerOf names the backend the gateway routed a query to (its history row, written in batches). */
  async function ownerOf(queryId: string): Promise<string | undefined> {
    await gw.services.recorder.flush();
    return (await gw.services.history.get(queryId))?.backend;
  }

  it("fails only the dead cluster's queries, Trino-shaped, and routes around it", async () => {
    const created = await fetch(`${gw.url}/api/v1/catalogs`, {
      method: 'POST',
      headers: { 'x-trino-user': 'ops', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'lake', connector: 'memory' }),
    });
    expect(created.status).toBe(201);

    // All 30 queries are submitted and mid-way (parked after their first poll) when t2 dies.
    let release!: () => void;
    const park = new Promise<void>((r) => (release = r));
    const parked: Promise<void>[] = [];
    const first = Array.from({ length: 30 }, (_, i) => {
      let parkedNow!: () => void;
      parked.push(new Promise<void>((r) => (parkedNow = r)));
      // A query that ends before parking (it must not) counts as parked, so the test fails, never hangs.
      return run(i, { parked: () => parkedNow(), park }).finally(() => parkedNow());
    });
    await Promise.all(parked);
    await ts[1]!.setMode('refuse'); // t2 dies: connections reset, new ones refused
    const diedAt = Date.now();
    release();
    const results = await Promise.all(first);
    expect(results.filter((r) => r.polls < 1)).toEqual([]); // every query was parked mid-way

    const onDead = results.filter((r) => r.cluster === 't2');
    const onLive = results.filter((r) => r.cluster === 't1' || r.cluster === 't3');
    expect(onLive.length).toBeGreaterThan(0);
    expect(onLive.every((r) => r.ok)).toBe(true); // the others' queries are unaffected
    expect(onDead.length).toBeGreaterThan(0);
    for (const r of onDead) {
      expect(r.ok).toBe(false);
      expect(r.status === 502 || r.status === 503 || r.status === 504).toBe(true);
      expect(r.error).toMatchObject({
        errorName: expect.any(String),
        errorType: expect.any(String),
        message: expect.any(String),
      });
    }

    // Their queries are over: t2 does not look busy any more, and history says why they failed.
    await expect.poll(() => gw.services.registry.get('t2')!.inFlight, { timeout: 5_000 }).toBe(0);
    await gw.services.recorder.flush();
    const failedRow = await gw.services.history.list({ backend: 't2', state: 'FAILED', limit: 100 });
    expect(failedRow.length).toBe(onDead.length);
    expect(failedRow[0]!.errorName).toBe('BACKEND_UNREACHABLE');
    await expect.poll(() => gw.services.registry.get('t2')!.health, { timeout: 5_000 }).toBe('UNHEALTHY');
    const before = ts[1]!.requests.length;
    const second = await Promise.all(Array.from({ length: 15 }, (_, i) => run(100 + i)));
    expect(second.every((r) => r.ok)).toBe(true);
    expect(second.every((r) => r.cluster !== 't2')).toBe(true);
    expect(ts[1]!.requests.length).toBe(before); // nothing reached it after detection
    expect(Date.now() - diedAt).toBeLessThan(60_000);

    // It comes back with an empty in-memory catalog store: catalogs are reconciled, traffic resumes.
    await ts[1]!.restart();
    await ts[1]!.setMode('ok');
    await expect.poll(() => ts[1]!.catalogs().includes('lake'), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => gw.services.registry.get('t2')!.health, { timeout: 5_000 }).toBe('HEALTHY');
    const third = await Promise.all(Array.from({ length: 15 }, (_, i) => run(200 + i)));
    expect(third.every((r) => r.ok)).toBe(true);
    expect(third.some((r) => r.cluster === 't2')).toBe(true);
  }, 120_000); // three rounds of real queries: minutes on a loaded 2-core machine, seconds on an idle one
});
