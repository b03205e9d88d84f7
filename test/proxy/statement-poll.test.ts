import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { until } from '../helpers/routing-fixtures.js';

interface Page {
  id: string;
  nextUri?: string;
  stats?: { state: string };
  error?: { errorName: string };
}

/**
 * One poll of a statement (statement-poll.ts): what its answer tells the tracker (polled, finished, lost
 * with its cluster), and the Trino error a client gets when the owner cannot be reached.
 */
describe('a statement poll', () => {
  let t: TrinoEmulator;
  let gw: TestGateway;
  let n = 0;
  let user: string;

  beforeAll(async () => {
    t = await TrinoEmulator.start({ name: 't' });
    gw = await startGateway(
      testConfig([{ name: 't', url: t.url }], {
        health: { enabled: false },
        proxy: { lostQueryGraceSeconds: 0.1 },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await t?.stop();
  });
  beforeEach(async () => {
    await t.setMode('ok');
    user = `user${++n}`;
  });

  const submit = async (sql = 'SELECT 1'): Promise<Page> => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { 'X-Trino-User': user },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };
  const poll = (uri: string) => fetch(uri, { headers: { 'X-Trino-User': user } });
  const usage = () => gw.services.tracker.usage(user);
  const finishedLine = (queryId: string) =>
    gw
      .logs()
      .split('\n')
      .filter((l) => l.includes('"query finished"') && l.includes(queryId))
      .map((l) => JSON.parse(l) as { state: string; errorName?: string; backend: string })[0];

  it('marks the query polled at its first answered poll, and finished at its last page', async () => {
    const first = await submit();
    expect(usage()).toEqual({ inFlight: 1, unpolled: 1 });
    let page = first;
    let polls = 0;
    while (page.nextUri) {
      const res = await poll(page.nextUri);
      expect(res.status).toBe(200);
      page = (await res.json()) as Page;
      if (polls++ === 0 && page.nextUri) expect(usage()).toEqual({ inFlight: 1, unpolled: 0 });
    }
    expect(page.stats?.state).toBe('FINISHED');
    expect(usage()).toEqual({ inFlight: 0, unpolled: 0 });
    expect(finishedLine(first.id)).toMatchObject({ state: 'FINISHED', backend: 't' });
  });

  it('counts a query the cluster no longer knows (its 404) as lost, and failed once the grace passed', async () => {
    const first = await submit();
    await t.restart();
    const res = await poll(first.nextUri!);
    expect(res.status).toBe(404);
    await until(() => usage().inFlight === 0, 10_000);
    expect(finishedLine(first.id)).toMatchObject({ state: 'FAILED', errorName: 'QUERY_NOT_FOUND' });
  });

  it('answers a refused poll with the 502 naming the backend, and the query ends as failed', async () => {
    const first = await submit();
    await t.setMode('refuse');
    const res = await poll(first.nextUri!);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({
      errorName: 'BACKEND_UNREACHABLE',
      message: 'backend t is unreachable (connection refused)',
    });
    await until(() => usage().inFlight === 0, 10_000);
    expect(finishedLine(first.id)).toMatchObject({ state: 'FAILED', errorName: 'BACKEND_UNREACHABLE' });
  });

  it('passes a 503 of a poll on to the client: the query is not lost', async () => {
    const first = await submit();
    await t.setMode('unavailable');
    const res = await poll(first.nextUri!);
    expect(res.status).toBe(503);
    await t.setMode('ok');
    // The next poll, answered, still reaches the query.
    const again = await poll(first.nextUri!);
    expect(again.status).toBe(200);
    expect(usage().inFlight).toBe(1);
  });

  it("remembers the transaction a poll's answer starts, for the transaction's later statements", async () => {
    let page = await submit('START TRANSACTION');
    let txn: string | null = null;
    while (page.nextUri) {
      const res = await poll(page.nextUri);
      txn ??= res.headers.get('x-trino-started-transaction-id');
      page = (await res.json()) as Page;
    }
    expect(txn).toBeTruthy();
    expect(gw.services.affinity.transactionOwner(txn!)).toBe('t');
  });
});
