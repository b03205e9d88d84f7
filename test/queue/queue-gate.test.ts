// The queue as the proxy talks to it (queue-gate.ts), end to end with real clients: held pages, cancels,
// refusals, the dry run, failover of queries that never started.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { runPresto, runTrino } from '../helpers/clients.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

/** A statement the emulator answers with rows 1..n. */
const seq = (n: number) => `SELECT * FROM UNNEST(sequence(1, ${n}))`;
const rowsTo = (n: number) => Array.from({ length: n }, (_, i) => [i + 1]);

const TRINO_ID = /^\d{8}_\d{6}_\d{5}_[a-z2-9]{5}$/;
const H = { 'x-trino-user': 'alice' };

interface Page {
  id: string;
  nextUri?: string;
  stats: { state: string; queuedTimeMillis: number };
  data?: unknown[][];
  error?: { errorName: string; errorCode: number; errorType: string };
}

async function post(gw: TestGateway, sql: string, user = 'alice'): Promise<Page> {
  const r = await fetch(`${gw.url}/v1/statement`, {
    method: 'POST',
    body: sql,
    headers: { 'x-trino-user': user },
  });
  expect(r.status).toBe(200);
  return (await r.json()) as Page;
}

/** follow polls as StatementClientV1 does (GET nextUri until there is none) and gathers rows and states. */
async function follow(first: Page, user = 'alice') {
  const states = [first.stats.state];
  const ids = [first.id];
  const rows: unknown[][] = [];
  let p = first;
  while (p.nextUri) {
    const r = await fetch(p.nextUri, { headers: { 'x-trino-user': user } });
    expect(r.status).toBe(200);
    p = (await r.json()) as Page;
    states.push(p.stats.state);
    ids.push(p.id);
    if (p.data) rows.push(...p.data);
  }
  return { states, ids, rows, last: p };
}

/** waitFor polls a condition (no fixed sleeps: the machine may be slow). */
async function waitFor(f: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400 && !(await f()); i++) await new Promise((r) => setTimeout(r, 25));
  if (!(await f())) throw new Error(`timed out waiting for ${what}`);
}

describe('the gateway queue with real clients', () => {
  let trino: TrinoEmulator;
  let gw: TestGateway;
  const statements = () => trino.requests.filter((r) => r.method === 'POST' && r.url === '/v1/statement');

  beforeAll(async () => {
    trino = await TrinoEmulator.start({ name: 'trino-1', queuedPages: 1, executingPages: 1 });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: trino.url }], {
        groups: [{ name: 'adhoc', queue: { maxRunningPerBackend: 1, maxQueued: 3 } }],
        health: { enabled: false },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await trino?.stop();
  });

  const running = () => gw.gateway.services.queue!.admission.store.running('trino-1');

  it('holds a query while the slot is taken; trino-client and presto-client wait through it and get their rows', async () => {
    const long = runTrino(gw.url, 'SELECT sleep(800)');
    await waitFor(() => running() === 1 && statements().length === 1, 'the first query on its cluster');
    const before = statements().length;
    const viaTrino = runTrino(gw.url, 'SELECT 1');
    const prestoStates: string[] = [];
    const port = Number(new URL(gw.url).port);
    const viaPresto = runPresto({ host: '127.0.0.1', port }, seq(2), {
      state: (_id, s) => prestoStates.push(s.state),
    });
    await waitFor(() => gw.gateway.services.queue!.admission.queuedCount('adhoc') === 2, 'two held queries');
    // Held queries never reached the cluster.
    expect(statements().length).toBe(before);
    const [l, t, p] = await Promise.all([long, viaTrino, viaPresto]);
    expect(l.rows).toEqual([[true]]);
    expect(t.error).toBeUndefined();
    expect(t.rows).toEqual([[1]]);
    expect(p.error).toBeUndefined();
    expect(p.rows).toEqual(rowsTo(2));
    expect(prestoStates[0]).toBe('QUEUED');
    expect(statements().length).toBe(before + 2);
    await waitFor(() => running() === 0, 'every slot given back');
  });

  it('answers Trino-shaped QUEUED pages with its own id, queued time growing, then the cluster pages', async () => {
    const long = runTrino(gw.url, 'SELECT sleep(2500)');
    await waitFor(() => running() === 1, 'the slot taken');
    const first = await post(gw, seq(3));
    expect(first.id).toMatch(TRINO_ID);
    expect(first.stats.state).toBe('QUEUED');
    expect(first.nextUri).toMatch(new RegExp(`^${gw.url}/v1/statement/queued/${first.id}/[^/]+~[^/]+/1$`));
    const second = (await (await fetch(first.nextUri!, { headers: H })).json()) as Page;
    expect(second.id).toBe(first.id);
    expect(second.stats.state).toBe('QUEUED');
    expect(second.stats.queuedTimeMillis).toBeGreaterThan(first.stats.queuedTimeMillis);
    const rest = await follow(second);
    expect(rest.rows).toEqual(rowsTo(3));
    expect(rest.last.stats.state).toBe('FINISHED');
    // The client carried on with the cluster's own query from the first page after the wait.
    expect(rest.ids.at(-1)).not.toBe(first.id);
    expect(trino.query(rest.ids.at(-1)!)).toBeDefined();
    // History records the time it waited in the gateway's queue.
    const row = await gw.gateway.services.history.get(rest.ids.at(-1)!);
    expect(row?.queuedMs).toBeGreaterThanOrEqual(second.stats.queuedTimeMillis);
    await long;
  });

  it('cancels a held query on DELETE of its nextUri or of /v1/query/{id}; it never reaches the cluster', async () => {
    const start = statements().length;
    const long = runTrino(gw.url, 'SELECT sleep(1000)');
    await waitFor(
      () => running() === 1 && statements().length === start + 1,
      'the first query on its cluster',
    );
    const before = statements().length;
    const a = await post(gw, seq(4));
    const b = await post(gw, seq(5));
    expect((await fetch(a.nextUri!, { method: 'DELETE', headers: H })).status).toBe(204);
    expect((await fetch(`${gw.url}/v1/query/${b.id}`, { method: 'DELETE', headers: H })).status).toBe(204);
    const after = (await (await fetch(a.nextUri!, { headers: H })).json()) as Page;
    expect(after.stats.state).toBe('FAILED');
    expect(after.error?.errorName).toBe('USER_CANCELED');
    expect(after.nextUri).toBeUndefined();
    await long;
    await waitFor(() => running() === 0, 'the slot given back');
    expect(statements().length).toBe(before);
  });

  it('fails a query beyond maxQueued at once with QUERY_QUEUE_FULL', async () => {
    const long = runTrino(gw.url, 'SELECT sleep(1000)');
    await waitFor(() => running() === 1, 'the slot taken');
    const held = [await post(gw, seq(6)), await post(gw, seq(7)), await post(gw, seq(8))];
    const full = await post(gw, seq(9));
    expect(full.stats.state).toBe('FAILED');
    expect(full.nextUri).toBeUndefined();
    expect(full.error).toMatchObject({
      errorName: 'QUERY_QUEUE_FULL',
      errorCode: 131074,
      errorType: 'INSUFFICIENT_RESOURCES',
    });
    for (const h of held) await fetch(h.nextUri!, { method: 'DELETE', headers: H });
    await long;
  });

  it('answers a poll of a queued id it never issued, or with a wrong slug, with a Trino-shaped 404', async () => {
    const r = await fetch(`${gw.url}/v1/statement/queued/20261202_000000_00000_abcde/yx~x/1`, { headers: H });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ errorName: 'QUERY_NOT_FOUND' });
    const long = runTrino(gw.url, 'SELECT sleep(600)');
    await waitFor(() => running() === 1, 'the slot taken');
    const p = await post(gw, seq(10));
    const forged = p.nextUri!.replace(/queued\/([^/]+)\/y[0-9a-f]+~/, 'queued/$1/y00~');
    expect((await fetch(forged, { headers: H })).status).toBe(404);
    const done = await follow(p);
    expect(done.rows).toEqual(rowsTo(10));
    await long;
  });

  it('says in the dry run whether a query would wait, and meters the queue per group', async () => {
    expect(gw.gateway.services.queue!.wouldWait('adhoc', 'alice')).toEqual({ queued: false });
    const long = runTrino(gw.url, 'SELECT sleep(600)');
    await waitFor(() => running() === 1, 'the slot taken');
    expect(gw.gateway.services.queue!.wouldWait('adhoc', 'alice')).toMatchObject({
      queued: true,
      reason: expect.stringContaining('maxRunningPerBackend (1)'),
    });
    const p = await post(gw, seq(2));
    const text = await gw.gateway.services.metrics.registry.metrics();
    expect(text).toMatch(/switchyard_queue_waiting_queries\{group="adhoc"\} 1/);
    expect(text).toMatch(/switchyard_queue_running_slots\{backend="trino-1"\} 1/);
    expect(text).toMatch(/switchyard_queue_rejections_total\{group="adhoc",reason="full"\} 1/);
    expect((await follow(p)).rows).toEqual(rowsTo(2));
    await long;
    const after = await gw.gateway.services.metrics.registry.metrics();
    expect(after).toMatch(/switchyard_queue_wait_seconds_count\{group="adhoc",outcome="started"\} [1-9]/);
    expect(after).toMatch(/switchyard_queue_wait_seconds_count\{group="adhoc",outcome="canceled"\} [1-9]/);
  });

  it("refuses another user's poll of a held query", async () => {
    const long = runTrino(gw.url, 'SELECT sleep(600)');
    await waitFor(() => running() === 1, 'the slot taken');
    const p = await post(gw, seq(11));
    const r = await fetch(p.nextUri!, { headers: { 'x-trino-user': 'mallory' } });
    expect(r.status).toBe(403);
    expect((await follow(p)).rows).toEqual(rowsTo(11));
    await long;
  });
});

describe('failover of queries that never started', () => {
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
          groups: [{ name: 'adhoc', policy: 'round-robin', queue: { maxRunningPerBackend: 1 } }],
          health: { enabled: false },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('sends a query a cluster refuses to another backend; the client sees one query', async () => {
    await a.setMode('refuse');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await runTrino(gw.url, seq(i + 1)));
    expect(results.map((r) => r.rows)).toEqual([rowsTo(1), rowsTo(2), rowsTo(3), rowsTo(4)]);
    const metrics = await gw.gateway.services.metrics.registry.getSingleMetricAsString(
      'switchyard_queue_failovers_total',
    );
    expect(metrics).toMatch(/switchyard_queue_failovers_total\{group="adhoc"\} [1-9]/);
    expect(gw.gateway.services.queue!.admission.store.running('trino-a')).toBe(0);
    await a.setMode('ok');
  });

  it('keeps a held query waiting when its cluster refuses it and no other backend has a slot, then runs it', async () => {
    await a.setMode('refuse');
    const long = runTrino(gw.url, 'SELECT sleep(800)'); // takes b's slot (a refuses)
    await waitFor(
      () => gw.gateway.services.queue!.admission.store.running('trino-b') === 1,
      "b's slot taken",
    );
    const r = await runTrino(gw.url, seq(42));
    expect(r.rows).toEqual(rowsTo(42));
    expect((await long).rows).toEqual([[true]]);
    await a.setMode('ok');
  });
});

describe('failover when a cluster dies between submission and its first executing page', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'trino-a', queuedPages: 3 });
    b = await TrinoEmulator.start({ name: 'trino-b', queuedPages: 3 });
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-a', url: a.url },
          { name: 'trino-b', url: b.url },
        ],
        { groups: [{ name: 'adhoc', queue: { maxRunningPerBackend: 5 } }], health: { enabled: false } },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const ownerOf = (id: string) => [a, b].find((c) => c.query(id) !== undefined);

  it('sends a reading query to another backend; the client sees one query, history both attempts', async () => {
    const first = await post(gw, seq(5));
    const dead = ownerOf(first.id)!;
    const other = dead === a ? b : a;
    expect(first.nextUri).toContain('/v1/statement/queued/');
    await dead.setMode('refuse');
    const rest = await follow(first);
    expect(rest.rows).toEqual(rowsTo(5));
    expect(rest.last.stats.state).toBe('FINISHED');
    expect(other.query(rest.ids.at(-1)!)).toBeDefined();
    await waitFor(
      async () => (await gw.gateway.services.history.get(first.id))?.state === 'FAILED',
      'the first attempt in history',
    );
    expect(await gw.gateway.services.history.get(first.id)).toMatchObject({
      errorName: 'BACKEND_UNREACHABLE',
    });
    await waitFor(
      async () => (await gw.gateway.services.history.get(rest.ids.at(-1)!))?.state === 'FINISHED',
      'the second attempt in history',
    );
    await dead.setMode('ok');
  });

  it('never sends again a statement that may have had effects', async () => {
    const first = await post(gw, 'CREATE CATALOG x USING memory');
    const dead = ownerOf(first.id)!;
    await dead.setMode('refuse');
    const r = await fetch(first.nextUri!, { headers: H });
    expect(r.status).toBeGreaterThanOrEqual(500);
    await dead.setMode('ok');
  });
});
