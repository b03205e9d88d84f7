import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { until } from '../helpers/routing-fixtures.js';

interface Page {
  id: string;
  nextUri?: string;
  error?: { errorName: string; message: string };
}

/**
 * One attempt to place a submission (submission-attempt.ts): the answer naming the query id starts the
 * query (affinity and tracker, before the client sees it); the backend counts it as load while the
 * answer is outstanding; an answer that breaks off after its head is a failed query, never sent again.
 */
describe('a submission attempt', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;
  let n = 0;
  let user: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([TrinoEmulator.start({ name: 'a' }), TrinoEmulator.start({ name: 'b' })]);
    gw = await startGateway(
      testConfig(
        [
          { name: 'a', url: a.url },
          { name: 'b', url: b.url },
        ],
        { health: { enabled: false } },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });
  beforeEach(async () => {
    await a.setMode('ok');
    await b.setMode('ok');
    // b joins the pool only where a test says so: the query's backend is then known.
    await gw.services.registry.setActive('b', false);
    a.clearRequests();
    b.clearRequests();
    user = `attempt${++n}`;
  });

  const post = (sql = 'SELECT 1', signal?: AbortSignal) =>
    fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { 'X-Trino-User': user, 'X-Trino-Source': 'attempt-test' },
      signal,
    });

  it('records where the query runs and as whom before the client has its first answer', async () => {
    const res = await post();
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    expect(a.queries.has(page.id)).toBe(true);
    expect(gw.services.affinity.queryOwner(page.id)).toBe('a');
    expect(gw.services.affinity.queryUser(page.id)).toBe(user);
    expect(gw.services.tracker.usage(user)).toEqual({ inFlight: 1, unpolled: 1 });
    expect([...gw.services.tracker.liveQueries()].find((q) => q.queryId === page.id)).toEqual({
      queryId: page.id,
      backend: 'a',
      group: 'adhoc',
      user,
    });
    // The cluster got the statement as sent, and none of it went to the other backend.
    expect(a.query(page.id)?.sql).toBe('SELECT 1');
    expect(b.requests).toHaveLength(0);
  });

  it('counts the submission as load on its backend until the answer comes', async () => {
    const backend = gw.services.registry.get('a')!;
    expect(backend.submitting).toBe(0);
    await a.setMode('hang');
    const client = new AbortController();
    const pending = post('SELECT 1', client.signal).catch(() => undefined);
    await until(() => backend.submitting === 1 && a.requests.length === 1);
    client.abort();
    await pending;
    await until(() => backend.submitting === 0);
    expect(gw.services.tracker.usage(user).inFlight).toBe(0);
  });

  it('answers an answer that breaks off after its head as a failed query, not sent again', async () => {
    await a.setMode('truncate');
    await b.setMode('truncate');
    await gw.services.registry.setActive('b', true);
    const res = await post();
    // A 200 with a failed query (its error on the poll, as Trino's): a client must not POST it again.
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    expect(page.id).toMatch(/^gateway_failed_/);
    expect(page.error).toBeUndefined();
    // Sent to one backend of the pool of two, and not to the other.
    expect([...a.requests, ...b.requests].filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(gw.services.tracker.usage(user).inFlight).toBe(0);
    const poll = await fetch(page.nextUri!, { headers: { 'X-Trino-User': user } });
    const failed = (await poll.json()) as Page;
    expect(failed.error).toMatchObject({
      errorName: 'BACKEND_UNREACHABLE',
      message: expect.stringMatching(
        /^backend [ab] is unreachable \(connection reset\); the statement may have started there, so it was not sent again$/,
      ),
    });
  });
});
