import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/**
 * Drain under load: while 24 clients keep running multi-page queries, one of two clusters is deactivated
 * through the admin API. Every poll of every query must succeed (0 failed polls), the drained cluster must
 * get no new query after the call returned, and it must reach in-flight 0 (`drained: true`).
 */
describe('drain under load', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;
  const admin = { 'x-trino-user': 'ops', 'content-type': 'application/json' };

  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'a', executingPages: 8, rowsPerPage: 10 });
    b = await TrinoEmulator.start({ name: 'b', executingPages: 8, rowsPerPage: 10 });
    a.setDelay(10);
    b.setDelay(10);
    gw = await startGateway(
      testConfig(
        [
          { name: 'a', url: a.url },
          { name: 'b', url: b.url },
        ],
        { auth: { mode: 'none', headerUsers: { groups: ['*'], roles: ['admin', 'user'] } } },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('finishes every running query with zero failed polls and sends nothing new to the drained cluster', async () => {
    const stats = { queries: 0, polls: 0, failedPolls: 0, failures: [] as string[] };
    let drainedAt = Infinity;
    const startedOnBAfterDrain: string[] = [];
    let stop = false;

    async function client(i: number): Promise<void> {
      while (!stop) {
        const submittedAt = Date.now();
        let res = await fetch(`${gw.url}/v1/statement`, {
          method: 'POST',
          headers: { 'x-trino-user': `u${i}` },
          body: 'SELECT * FROM UNNEST(sequence(1, 80))',
        });
        let page: any = await res.json();
        if (res.status !== 200 || page.error) {
          stats.failures.push(`submit ${res.status} ${JSON.stringify(page).slice(0, 200)}`);
          continue;
        }
        const owner = await ownerOf(page.id);
        if (owner === 'b' && submittedAt > drainedAt) startedOnBAfterDrain.push(page.id);
        let rows = 0;
        while (page.nextUri) {
          res = await fetch(page.nextUri, { headers: { 'x-trino-user': `u${i}` } });
          stats.polls++;
          page = await res.json().catch(() => ({ error: { message: 'not JSON' } }));
          if (res.status !== 200 || page.error) {
            stats.failedPolls++;
            stats.failures.push(`poll ${res.status} ${JSON.stringify(page).slice(0, 200)}`);
            break;
          }
          rows += page.data?.length ?? 0;
        }
        if (rows !== 80) stats.failures.push(`query ${page.id} returned ${rows} rows`);
        stats.queries++;
      }
    }
    async function ownerOf(id: string): Promise<string | undefined> {
      await gw.services.recorder.flush();
      return (await gw.services.history.get(id))?.backend;
    }

    const clients = Array.from({ length: 24 }, (_, i) => client(i));
    await expect.poll(() => gw.services.registry.get('b')!.inFlight, { timeout: 5_000 }).toBeGreaterThan(3);
    const inFlightAtDrain = gw.services.registry.get('b')!.inFlight;
    const r = await fetch(`${gw.url}/api/v1/backends/b/deactivate`, { method: 'POST', headers: admin });
    drainedAt = Date.now();
    expect(r.status).toBe(200);
    expect((await r.json()).drained).toBe(false);
    await expect
      .poll(
        async () => (await (await fetch(`${gw.url}/api/v1/backends/b`, { headers: admin })).json()).drained,
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    await new Promise((res) => setTimeout(res, 300)); // more load after the drain completed
    stop = true;
    await Promise.all(clients);

    expect(inFlightAtDrain).toBeGreaterThan(0);
    expect(stats.failures).toEqual([]);
    expect(stats.failedPolls).toBe(0);
    expect(stats.polls).toBeGreaterThan(100);
    expect(startedOnBAfterDrain).toEqual([]);
    expect(gw.services.registry.get('b')!.inFlight).toBe(0);
    console.log(
      `drain under load: ${stats.queries} queries, ${stats.polls} polls, ${stats.failedPolls} failed; ` +
        `${inFlightAtDrain} in flight on the drained cluster when deactivated`,
    );
  });
});
