import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { BackendRegistry } from '../../src/backends/registry.js';
import { openDatabase } from '../../src/db/open.js';
import { repairRunningRows, type RepairOptions } from '../../src/history/history-repair.js';
import type { HistoryCompletion } from '../../src/history/history-repo.js';
import { silentLogger } from '../../src/observability/logger.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

const STARTED = 10_000;

/** start submits sql to the emulator and follows nextUri `polls` times (all the way when undefined). */
async function start(t: TrinoEmulator, sql: string, polls?: number): Promise<string> {
  const r = await fetch(`${t.url}/v1/statement`, {
    method: 'POST',
    headers: { 'x-trino-user': 'alice' },
    body: sql,
  });
  let page = (await r.json()) as { id: string; nextUri?: string };
  const id = page.id;
  for (let i = 0; page.nextUri && (polls === undefined || i < polls); i++)
    page = (await (await fetch(page.nextUri)).json()) as typeof page;
  return id;
}

/** cancel is the client's DELETE of a query (QueryResource), as its user. */
async function cancel(t: TrinoEmulator, id: string): Promise<void> {
  const r = await fetch(`${t.url}/v1/query/${id}`, {
    method: 'DELETE',
    headers: { 'x-trino-user': 'alice' },
  });
  expect(r.status).toBe(204);
}

describe('repairRunningRows', () => {
  let t1: TrinoEmulator;
  let gone: TrinoEmulator;
  let registry: BackendRegistry;
  beforeAll(async () => {
    [t1, gone] = await Promise.all([
      TrinoEmulator.start({ name: 't1' }),
      TrinoEmulator.start({ name: 'gone' }),
    ]);
    await gone.stop(); // its port refuses connections
    const backends = new BackendRepo(openDatabase(':memory:').db);
    backends.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
    for (const [name, url] of [
      ['t1', t1.url],
      ['down', gone.url],
    ])
      backends.seedBackend({ name, url, group: 'adhoc', active: true, weight: 1, catalogDriver: 'sql' });
    registry = sqliteRegistry(backends, 4);
  });
  afterAll(async () => {
    registry?.close();
    await t1?.stop();
  });

  /** repair stores rows RUNNING before STARTED (and one after it) and runs a repair over them. */
  async function repair(
    rows: Array<{ queryId: string; backend: string; submittedAt?: number }>,
    o: Partial<RepairOptions> = {},
  ) {
    const store = sqliteStore(openDatabase(':memory:')).history;
    await store.insertMany(
      rows.map((r, i) => ({
        queryId: r.queryId,
        user: 'alice',
        routingGroup: 'adhoc',
        backend: r.backend,
        sql: 'SELECT 1',
        submittedAt: r.submittedAt ?? 1000 + i,
        state: 'RUNNING',
      })),
    );
    const completed: HistoryCompletion[] = [];
    const adopted: string[] = [];
    const counts = await repairRunningRows({
      repo: store,
      registry,
      tracker: { adopt: (id, backend, user) => adopted.push(`${id} ${backend} ${user}`) },
      complete: (c) => completed.push(c),
      startedAt: STARTED,
      user: 'switchyard',
      timeoutMs: 5000,
      logger: silentLogger(),
      scrub: (m) => (m == null ? null : m.replace(/secret=\S+/, 'secret=***')),
      ...o,
    });
    return { counts, completed, adopted, byId: (id: string) => completed.find((c) => c.queryId === id) };
  }

  it('records a final state as the cluster reports it', async () => {
    const id = await start(t1, 'SELECT 1');
    const r = await repair([{ queryId: id, backend: 't1' }]);
    expect(r.counts).toEqual({ FINISHED: 1, FAILED: 0, CANCELED: 0, adopted: 0, LOST: 0 });
    expect(r.byId(id)).toMatchObject({
      state: 'FINISHED',
      errorName: null,
      errorType: null,
      errorMessage: null,
    });
  });

  it("records a failed query with the cluster's error, scrubbed, and a canceled one as CANCELED", async () => {
    const running = await start(t1, 'SELECT sleep(60000)', 1);
    await start(
      t1,
      `CALL system.runtime.kill_query(query_id => '${running}', message => 'why secret=hunter2')`,
    );
    const canceled = await start(t1, 'SELECT sleep(60000)', 1);
    await cancel(t1, canceled);
    const r = await repair([
      { queryId: running, backend: 't1' },
      { queryId: canceled, backend: 't1' },
    ]);
    expect(r.counts).toMatchObject({ FAILED: 1, CANCELED: 1 });
    expect(r.byId(running)).toMatchObject({
      state: 'FAILED',
      errorName: 'ADMINISTRATIVELY_KILLED',
      errorType: 'USER_ERROR',
      errorMessage: expect.stringContaining('secret=***'),
    });
    expect(r.byId(running)?.errorMessage).not.toContain('hunter2');
    expect(r.byId(canceled)).toMatchObject({ state: 'CANCELED', errorName: 'USER_CANCELED' });
  });

  it('adopts a query the cluster still runs, and leaves its row for the tracker to end', async () => {
    const id = await start(t1, 'SELECT sleep(60000)', 1);
    try {
      const r = await repair([{ queryId: id, backend: 't1' }]);
      expect(r.counts.adopted).toBe(1);
      expect(r.adopted).toEqual([`${id} t1 alice`]);
      expect(r.completed).toEqual([]);
    } finally {
      await cancel(t1, id);
    }
  });

  it('marks LOST, saying why, a query the cluster does not know, one it cannot be asked about, and one whose backend is gone', async () => {
    const r = await repair([
      { queryId: '20260101_000000_00000_xxxxx', backend: 't1' },
      { queryId: 'q-down', backend: 'down' },
      { queryId: 'q-removed', backend: 'removed' },
    ]);
    expect(r.counts).toEqual({ FINISHED: 0, FAILED: 0, CANCELED: 0, adopted: 0, LOST: 3 });
    const why = (id: string) => r.byId(id)?.errorMessage;
    expect(why('20260101_000000_00000_xxxxx')).toBe(
      'the gateway restarted before the query ended; the cluster no longer knows it',
    );
    expect(why('q-down')).toBe(
      'the gateway restarted before the query ended; its cluster could not be asked',
    );
    expect(why('q-removed')).toBe('the gateway restarted before the query ended; backend removed is gone');
    expect(r.completed.every((c) => c.state === 'LOST' && c.errorName === 'GATEWAY_RESTARTED')).toBe(true);
  });

  it('leaves rows of this run alone', async () => {
    const r = await repair([{ queryId: 'q-now', backend: 't1', submittedAt: STARTED + 1 }]);
    expect(r.completed).toEqual([]);
    expect(Object.values(r.counts).every((n) => n === 0)).toBe(true);
  });

  it('asks as the configured user', async () => {
    const id = await start(t1, 'SELECT 1');
    t1.clearRequests();
    await repair([{ queryId: id, backend: 't1' }], { user: 'ops-robot' });
    const asked = t1.requests.filter((q) => q.url === `/v1/query/${id}`);
    expect(asked.map((q) => [q.method, q.headers['x-trino-user']])).toEqual([['GET', 'ops-robot']]);
  });

  it('never throws: a store that cannot be read repairs nothing', async () => {
    const completed: unknown[] = [];
    const counts = await repairRunningRows({
      repo: { running: () => Promise.reject(new Error('database is locked')) },
      registry,
      tracker: { adopt: () => undefined },
      complete: (c) => completed.push(c),
      startedAt: STARTED,
      user: 'switchyard',
      timeoutMs: 1000,
      logger: silentLogger(),
      scrub: (m) => m ?? null,
    });
    expect(counts).toEqual({ FINISHED: 0, FAILED: 0, CANCELED: 0, adopted: 0, LOST: 0 });
    expect(completed).toEqual([]);
  });
});
