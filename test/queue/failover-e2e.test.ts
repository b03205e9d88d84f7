import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { runTrino, type ClientResult } from '../helpers/clients.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

const seq = (n: number) => `SELECT * FROM UNNEST(sequence(1, ${n}))`;
const rowsTo = (n: number) => Array.from({ length: n }, (_, i) => [i + 1]);

/** waitFor polls a condition (no fixed sleeps: the machine may be slow). */
async function waitFor(f: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400 && !(await f()); i++) await new Promise((r) => setTimeout(r, 25));
  if (!(await f())) throw new Error(`timed out waiting for ${what}`);
}
const every = async <T>(xs: T[], p: (x: T) => Promise<boolean>) =>
  (await Promise.all(xs.map(p))).every(Boolean);

describe('failover of a query its cluster fails at start (a coordinator still starting)', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'trino-a' });
    b = await TrinoEmulator.start({ name: 'trino-b' });
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-a', url: a.url },
          { name: 'trino-b', url: b.url },
        ],
        {
          groups: [{ name: 'adhoc', policy: 'round-robin', queue: { maxRunningPerBackend: 5 } }],
          health: { enabled: false },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const history = (id: string) => gw.gateway.services.history.get(id);

  it('sends the query to another backend; trino-client sees one query, history records every attempt', async () => {
    a.setStarting(true);
    try {
      const results: ClientResult[] = [];
      for (let i = 1; i <= 4; i++) results.push(await runTrino(gw.url, seq(i)));
      expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined, undefined]);
      expect(results.map((r) => r.rows)).toEqual([rowsTo(1), rowsTo(2), rowsTo(3), rowsTo(4)]);
      for (const r of results) expect(b.query(r.queryId!)?.state).toBe('FINISHED');
      // Round-robin sent some of them to the starting cluster first: each such attempt is in history.
      const failed = [...a.queries.keys()];
      expect(failed.length).toBeGreaterThan(0);
      for (const id of failed) expect(a.query(id)?.state).toBe('FAILED');
      await waitFor(
        () => every(failed, async (id) => (await history(id))?.state === 'FAILED'),
        'the failed attempts',
      );
      for (const id of failed)
        expect(await history(id)).toMatchObject({ errorName: 'SERVER_STARTING_UP', backend: 'trino-a' });
      await waitFor(
        () => every(results, async (r) => (await history(r.queryId!))?.state === 'FINISHED'),
        'the attempts that ran',
      );
      const queue = gw.gateway.services.queue!.admission.store;
      await waitFor(() => queue.running('trino-a') + queue.running('trino-b') === 0, 'every slot back');
    } finally {
      a.setStarting(false);
    }
  });

  it('sends a statement with effects too: a starting coordinator fails it before analysing it', async () => {
    a.setStarting(true);
    b.setStarting(false);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await runTrino(gw.url, `CREATE CATALOG c${i} USING memory`);
        expect(r.error).toBeUndefined();
      }
      expect(b.catalogs()).toEqual(expect.arrayContaining(['c0', 'c1']));
      expect(a.catalogs()).not.toContain('c0');
    } finally {
      a.setStarting(false);
    }
  });

  it('passes the failure on once every backend of the pool failed it at start', async () => {
    a.setStarting(true);
    b.setStarting(true);
    try {
      const r = await runTrino(gw.url, seq(3));
      // Each backend failed it once; the second failure is the client's (no third backend to try).
      expect(r.error).toMatchObject({ errorName: 'SERVER_STARTING_UP' });
    } finally {
      a.setStarting(false);
      b.setStarting(false);
    }
  });
});
