import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failedQuery } from '../helpers/failed-query.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/**
 * A new query's way (submission.ts, placement.ts, submission-attempt.ts): placed on one backend, sent
 * once more to another of its pool when the first refused it (the query never started), never when it
 * belongs to one cluster (a transaction).
 */
describe('a submission', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    [a, b] = await Promise.all([TrinoEmulator.start({ name: 'a' }), TrinoEmulator.start({ name: 'b' })]);
    gw = await startGateway(
      testConfig(
        [
          { name: 'a', url: a.url },
          { name: 'b', url: b.url },
        ],
        { groups: [{ name: 'adhoc', policy: 'round-robin' }], health: { enabled: false } },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });
  beforeEach(async () => {
    for (const c of [a, b]) {
      await c.setMode('ok');
      c.clearRequests();
    }
    for (const n of ['a', 'b']) gw.services.registry.get(n)!.health = 'HEALTHY';
  });

  const post = (headers: Record<string, string> = {}, sql = 'SELECT 1') =>
    fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { 'X-Trino-User': 'alice', ...headers },
    });
  const posts = (c: TrinoEmulator) => c.requests.filter((r) => r.method === 'POST').length;

  it.each(['refuse', 'unavailable'] as const)(
    'that one backend refuses (%s) goes once to another of the pool, and the query runs there',
    async (mode) => {
      await a.setMode(mode);
      for (let i = 0; i < 2; i++) {
        const res = await post();
        expect(res.status).toBe(200);
        const page = (await res.json()) as { id: string; error?: unknown };
        expect(page.error).toBeUndefined();
        expect(b.queries.has(page.id)).toBe(true);
      }
      // Round-robin sent one of the two to a first: it refused (a 503 reached it, a refusal did not).
      expect(posts(a)).toBe(mode === 'unavailable' ? 1 : 0);
      expect(posts(b)).toBe(2);
    },
  );

  it('that every backend answers 503 is sent twice at most, then fails as NO_NODES_AVAILABLE', async () => {
    await a.setMode('unavailable');
    await b.setMode('unavailable');
    const res = await post();
    expect(await failedQuery(res, { 'X-Trino-User': 'alice' })).toMatchObject({
      errorName: 'NO_NODES_AVAILABLE',
      message: expect.stringMatching(/^backend [ab] is unavailable and no other backend of "adhoc" is/),
    });
    expect([posts(a), posts(b)]).toEqual([1, 1]);
  });

  it('refused with 503 by the only backend of its pool fails as NO_NODES_AVAILABLE naming it', async () => {
    gw.services.registry.get('b')!.health = 'UNHEALTHY';
    await a.setMode('unavailable');
    const res = await post();
    expect(await failedQuery(res, { 'X-Trino-User': 'alice' })).toMatchObject({
      errorName: 'NO_NODES_AVAILABLE',
      message: 'backend a is unavailable and no other backend of "adhoc" is (routing.defaultGroup)',
    });
    expect(posts(b)).toBe(0);
  });

  it("of a transaction stays on the transaction's cluster, refused or not", async () => {
    let res = await post({}, 'START TRANSACTION');
    let page = (await res.json()) as { id: string; nextUri?: string };
    let txn = res.headers.get('x-trino-started-transaction-id');
    while (page.nextUri) {
      res = await fetch(page.nextUri, { headers: { 'X-Trino-User': 'alice' } });
      txn ??= res.headers.get('x-trino-started-transaction-id');
      page = (await res.json()) as typeof page;
    }
    expect(txn).toBeTruthy();
    const owner = [a, b].find((c) => c.queries.has(page.id))!;
    const other = owner === a ? b : a;
    await owner.setMode('unavailable');
    other.clearRequests();
    const refused = await post({ 'X-Trino-Transaction-Id': txn! });
    expect((await failedQuery(refused, { 'X-Trino-User': 'alice' })).errorName).toBe('NO_NODES_AVAILABLE');
    expect(posts(other)).toBe(0);
  });
});
