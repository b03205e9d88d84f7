import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

interface Page {
  id: string;
  nextUri?: string;
  stats?: { state: string };
  error?: { errorName: string; message: string };
}

/**
 * A follow-up's way (follow-up.ts): the owner of a poll or cancel is the backend its signed handle names,
 * else the one affinity remembers; a follow-up the gateway cannot place is a 404, never a guess.
 */
describe('follow-ups', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;
  const user = { 'X-Trino-User': 'alice' };

  beforeAll(async () => {
    [a, b] = await Promise.all([TrinoEmulator.start({ name: 'a' }), TrinoEmulator.start({ name: 'b' })]);
    gw = await startGateway(
      testConfig(
        [
          { name: 'a', url: a.url },
          { name: 'b', url: b.url, group: 'etl' },
        ],
        { health: { enabled: false } },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });
  beforeEach(() => {
    a.clearRequests();
    b.clearRequests();
  });

  /** submit starts a query in a group and returns its first page (on a's or b's cluster). */
  async function submit(group = 'adhoc', sql = 'SELECT 1'): Promise<Page> {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { ...user, 'X-Trino-Routing-Group': group },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  }
  const get = (url: string, method = 'GET') => fetch(url, { method, headers: user });
  const withoutHandle = (uri: string) => uri.replace(/~[^/]+/, '');
  const errorOf = async (res: Response) => (await res.json()) as { errorName: string; message: string };

  it('sends a poll to the backend its handle names, and nowhere else', async () => {
    const first = await submit('etl');
    expect(first.nextUri).toMatch(/~/);
    const res = await get(first.nextUri!);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Page).id).toBe(first.id);
    expect(b.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(a.requests).toHaveLength(0);
    // The cluster sees its own path: the handle goes no further than the gateway.
    expect(b.requests[1].url).not.toMatch(/~/);
  });

  it('finds the owner of a poll without a handle through affinity', async () => {
    const first = await submit('etl');
    const res = await get(withoutHandle(first.nextUri!));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Page).id).toBe(first.id);
    expect(b.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('answers 404 for a poll of a query the gateway does not know, sending it nowhere', async () => {
    const res = await get(`${gw.url}/v1/statement/executing/20260101_000000_00000_nobdy/y1/1`);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({
      errorName: 'QUERY_NOT_FOUND',
      message: 'query 20260101_000000_00000_nobdy is not known to this gateway',
    });
    expect([...a.requests, ...b.requests]).toHaveLength(0);
  });

  it('answers 404 for a forged handle, whatever affinity knows', async () => {
    const first = await submit('etl');
    const forged = first.nextUri!.replace(/~[^/]+/, '~forged');
    const res = await get(forged);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).errorName).toBe('QUERY_NOT_FOUND');
    expect(b.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('sends a cancel (DELETE) to the owner, and the query stops counting for its user', async () => {
    const first = await submit('etl', 'SELECT 2');
    expect(gw.services.tracker.usage('alice').inFlight).toBeGreaterThanOrEqual(1);
    const before = gw.services.tracker.usage('alice').inFlight;
    const res = await get(first.nextUri!, 'DELETE');
    expect(res.status).toBe(204);
    expect(b.requests.at(-1)?.method).toBe('DELETE');
    expect(b.query(first.id)?.state).toMatch(/FAILED|CANCELED/);
    expect(gw.services.tracker.usage('alice').inFlight).toBe(before - 1);
  });

  it('serves /v1/query/{id} from the owner, and a DELETE there cancels', async () => {
    const first = await submit('etl', 'SELECT 3');
    const info = await get(`${gw.url}/v1/query/${first.id}`);
    expect(info.status).toBe(200);
    expect(((await info.json()) as { queryId: string }).queryId).toBe(first.id);
    const before = gw.services.tracker.usage('alice').inFlight;
    const del = await get(`${gw.url}/v1/query/${first.id}`, 'DELETE');
    expect(del.status).toBeLessThan(300);
    expect(b.requests.filter((r) => r.url === `/v1/query/${first.id}`).map((r) => r.method)).toEqual([
      'GET',
      'DELETE',
    ]);
    expect(a.requests).toHaveLength(0);
    expect(gw.services.tracker.usage('alice').inFlight).toBe(before - 1);
  });

  it('answers 404 for /v1/query/{id} of an unknown query', async () => {
    const res = await get(`${gw.url}/v1/query/20260101_000000_00000_unkwn`);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({
      errorName: 'QUERY_NOT_FOUND',
      message: 'query 20260101_000000_00000_unkwn is not known to this gateway',
    });
  });

  it('answers 404 naming the backend when the owner is no longer configured', async () => {
    const c = await TrinoEmulator.start({ name: 'c' });
    try {
      await gw.services.registry.upsertGroup({ name: 'gone', policy: 'least-loaded' });
      await gw.services.registry.add({
        name: 'c',
        url: c.url,
        group: 'gone',
        active: true,
        weight: 1,
        catalogDriver: 'sql',
      });
      gw.services.registry.get('c')!.health = 'HEALTHY';
      const first = await submit('gone');
      await gw.services.registry.remove('c');
      const res = await get(first.nextUri!);
      expect(res.status).toBe(404);
      expect((await errorOf(res)).message).toBe(
        `query ${first.id} belongs to backend c, which is no longer configured`,
      );
    } finally {
      await c.stop();
    }
  });

  it('answers the poll of a query the gateway failed itself, without a cluster, from its nextUri alone', async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { ...user, 'X-Trino-Transaction-Id': 'no-such-transaction' },
    });
    const first = (await res.json()) as Page;
    expect(first.nextUri).toBeDefined();
    const poll = await get(first.nextUri!);
    expect(poll.status).toBe(200);
    expect(((await poll.json()) as Page).error?.errorName).toBe('UNKNOWN_TRANSACTION');
    // Nothing was kept: a poll again reads the same page, and an altered nextUri is not known.
    expect(((await (await get(first.nextUri!)).json()) as Page).error?.errorName).toBe('UNKNOWN_TRANSACTION');
    expect((await get(first.nextUri!.replace(/\.([\w-]+)\/1$/, '.x$1/1'))).status).toBe(404);
    expect([...a.requests, ...b.requests]).toHaveLength(0);
  });

  it('sends /v1/info to a cluster', async () => {
    const res = await fetch(`${gw.url}/v1/info`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { starting: boolean }).starting).toBe(false);
    expect(a.requests.length + b.requests.length).toBe(1);
  });
});
