import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { HistoryRepo } from '../../src/history/history-repo.js';
import { HistoryRecorder } from '../../src/history/recorder.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const writer = (opened: ReturnType<typeof openDatabase>) => sqliteStore(opened).history;

const row = (queryId: string, submittedAt = 1000, sql = 'SELECT 1') => ({
  queryId,
  user: 'alice',
  routingGroup: 'adhoc',
  backend: 'trino-1',
  sql,
  submittedAt,
  state: 'RUNNING',
});

async function counter(m: Metrics, outcome: string): Promise<number> {
  const v = (await m.historyWrites.get()).values.find((x) => x.labels.outcome === outcome);
  return v?.value ?? 0;
}

describe('HistoryRecorder', () => {
  it('writes submissions and completions in one batch, merging both for a short query', async () => {
    const opened = openDatabase(':memory:');
    const repo = new HistoryRepo(opened.db);
    const rec = new HistoryRecorder(
      writer(opened),
      { flushIntervalMs: 1000, maxQueue: 100, maxQueueBytes: 1 << 20, durableSubmissions: false },
      new Metrics(),
      silentLogger(),
    );
    rec.submitted(row('q_1'));
    rec.completed({ queryId: 'q_1', state: 'FINISHED', finishedAt: 2000, rows: 1 });
    expect(repo.get('q_1')).toBeUndefined();
    expect(await rec.flush()).toBe(true);
    expect(repo.get('q_1')).toMatchObject({ state: 'FINISHED', finishedAt: 2000, rows: 1 });
    rec.completed({ queryId: 'q_1', state: 'FAILED', finishedAt: 3000, errorName: 'X' });
    await rec.flush();
    expect(repo.get('q_1')).toMatchObject({ state: 'FAILED', errorName: 'X', rows: 1 });
  });

  it('drops and counts events beyond its bound instead of growing', async () => {
    const m = new Metrics();
    const rec = new HistoryRecorder(
      writer(openDatabase(':memory:')),
      { flushIntervalMs: 1000, maxQueue: 2, maxQueueBytes: 1 << 20, durableSubmissions: false },
      m,
      silentLogger(),
    );
    for (const id of ['a', 'b', 'c', 'd']) rec.submitted(row(id));
    expect(rec.size()).toBe(2);
    expect(await counter(m, 'dropped')).toBe(2);
  });

  it('bounds its queue by bytes as well as by events', async () => {
    const m = new Metrics();
    const rec = new HistoryRecorder(
      writer(openDatabase(':memory:')),
      { flushIntervalMs: 1000, maxQueue: 10_000, maxQueueBytes: 1 << 20, durableSubmissions: false },
      m,
      silentLogger(),
    );
    const big = 'x'.repeat(100_000); // 200 KB as held
    for (let i = 0; i < 20; i++) rec.submitted(row(`b${i}`, 1000, big));
    expect(rec.size()).toBe(5);
    expect(rec.queuedBytes()).toBeLessThanOrEqual(1 << 20);
    expect(await counter(m, 'dropped')).toBe(15);
    rec.submitted(row('small'));
    expect(rec.size()).toBe(6); // small events still fit
  });

  it('writes a submission at once when durable, so nothing waits in memory for a crash to lose', async () => {
    const opened = openDatabase(':memory:');
    const repo = new HistoryRepo(opened.db);
    const rec = new HistoryRecorder(
      writer(opened),
      { flushIntervalMs: 1000, maxQueue: 100, maxQueueBytes: 1 << 20 },
      new Metrics(),
      silentLogger(),
    );
    const written = rec.submitted(row('d1'));
    const alsoThisTurn = rec.submitted(row('d2'));
    expect(alsoThisTurn).toBe(written); // one write for the turn's submissions
    await written;
    expect(repo.get('d1')).toMatchObject({ state: 'RUNNING' });
    expect(repo.get('d2')).toMatchObject({ state: 'RUNNING' });
    expect(rec.size()).toBe(0);
    rec.completed({ queryId: 'd1', state: 'FINISHED', finishedAt: 2000 });
    await rec.flush();
    expect(repo.get('d1')).toMatchObject({ state: 'FINISHED' });
  });

  it('keeps a failed batch, counts it and writes it once the database recovers; nothing half-written', async () => {
    const opened = openDatabase(':memory:');
    const repo = new HistoryRepo(opened.db);
    const m = new Metrics();
    const rec = new HistoryRecorder(
      writer(opened),
      { flushIntervalMs: 1000, maxQueue: 100, maxQueueBytes: 1 << 20, durableSubmissions: false },
      m,
      silentLogger(),
    );
    rec.submitted(row('ok1'));
    opened.sqlite.exec(`CREATE TRIGGER block BEFORE INSERT ON query_history WHEN NEW.query_id = 'bad'
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    rec.submitted(row('bad'));
    expect(await rec.flush()).toBe(false);
    expect(repo.get('ok1')).toBeUndefined(); // the batch is one transaction
    expect(await counter(m, 'error')).toBe(2);
    expect(rec.size()).toBe(2);
    opened.sqlite.exec('DROP TRIGGER block');
    expect(await rec.flush()).toBe(true);
    expect(repo.get('ok1')).toBeDefined();
    expect(repo.get('bad')).toBeDefined();
  });

  it('writes a large flush in slices of maxBatchRows, letting the event loop run between them', async () => {
    const opened = openDatabase(':memory:');
    const repo = new HistoryRepo(opened.db);
    const store = writer(opened);
    const log: string[] = [];
    const sliced = {
      insertMany: store.insertMany,
      writeBatch: (
        ins: Parameters<typeof store.writeBatch>[0],
        comps: Parameters<typeof store.writeBatch>[1],
      ) => {
        log.push(`batch ${ins.length}+${comps.length}`);
        // Something else the loop has to do, queued while this slice is written: it must run before the next.
        setImmediate(() => log.push('loop'));
        return store.writeBatch(ins, comps);
      },
    };
    const rec = new HistoryRecorder(
      sliced,
      {
        flushIntervalMs: 1000,
        maxQueue: 1000,
        maxQueueBytes: 1 << 20,
        durableSubmissions: false,
        maxBatchRows: 4,
      },
      new Metrics(),
      silentLogger(),
    );
    for (let i = 0; i < 6; i++) rec.submitted(row(`s${i}`));
    expect(await rec.flush()).toBe(true);
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) rec.completed({ queryId: `s${i}`, state: 'FINISHED', finishedAt: 2000 + i });
    rec.submitted(row('s6'));
    expect(await rec.flush()).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['batch 4+0', 'loop', 'batch 2+0', 'loop', 'batch 1+3', 'loop', 'batch 0+2', 'loop']);
    for (let i = 0; i < 5; i++)
      expect(repo.get(`s${i}`)).toMatchObject({ state: 'FINISHED', finishedAt: 2000 + i });
    expect(repo.get('s5')).toMatchObject({ state: 'RUNNING' });
    expect(repo.get('s6')).toMatchObject({ state: 'RUNNING' });
    expect(rec.size()).toBe(0);
  });

  it("stores a turn's durable submissions at once, not after a sliced flush that is still running", async () => {
    const opened = openDatabase(':memory:');
    const repo = new HistoryRepo(opened.db);
    const rec = new HistoryRecorder(
      writer(opened),
      { flushIntervalMs: 1000, maxQueue: 1000, maxQueueBytes: 1 << 20, maxBatchRows: 2 },
      new Metrics(),
      silentLogger(),
    );
    // Completions of rows not yet stored: a flush of ten slices, each in its own loop turn.
    for (let i = 0; i < 20; i++) rec.completed({ queryId: `gone${i}`, state: 'FINISHED', finishedAt: 2000 });
    const flushing = rec.flush();
    await new Promise((r) => setImmediate(r));
    await rec.submitted(row('fresh'));
    // Answered (the submission's promise resolved): its row is there, whatever the flush still has to do.
    expect(repo.get('fresh')).toMatchObject({ state: 'RUNNING' });
    let flushed = false;
    void flushing.then(() => (flushed = true));
    await new Promise((r) => setImmediate(r));
    expect(flushed).toBe(false);
    expect(await flushing).toBe(true);
  });

  it('keeps the slices before a failed one written and queues that one and the rest again', async () => {
    const opened = openDatabase(':memory:');
    const repo = new HistoryRepo(opened.db);
    const m = new Metrics();
    const rec = new HistoryRecorder(
      writer(opened),
      {
        flushIntervalMs: 1000,
        maxQueue: 100,
        maxQueueBytes: 1 << 20,
        durableSubmissions: false,
        maxBatchRows: 2,
      },
      m,
      silentLogger(),
    );
    for (const id of ['a1', 'a2', 'bad', 'a3', 'a4']) rec.submitted(row(id));
    opened.sqlite.exec(`CREATE TRIGGER block BEFORE INSERT ON query_history WHEN NEW.query_id = 'bad'
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(await rec.flush()).toBe(false);
    expect(repo.get('a1')).toBeDefined();
    expect(repo.get('a2')).toBeDefined();
    for (const id of ['bad', 'a3', 'a4']) expect(repo.get(id)).toBeUndefined(); // its slice is one transaction
    expect(await counter(m, 'ok')).toBe(2);
    expect(await counter(m, 'error')).toBe(3);
    expect(rec.size()).toBe(3);
    opened.sqlite.exec('DROP TRIGGER block');
    expect(await rec.flush()).toBe(true);
    for (const id of ['a1', 'a2', 'bad', 'a3', 'a4']) expect(repo.get(id)).toBeDefined();
    expect(rec.size()).toBe(0);
  });
});

describe('HistoryRecorder on an async store', () => {
  it('keeps what arrives while a failing write is in flight, and never lets a completion overtake its row', async () => {
    const writes: string[] = [];
    let release!: (fail: boolean) => void;
    const writer = {
      insertMany: async (rows: Array<{ queryId: string }>) => {
        writes.push(`insert ${rows.map((r) => r.queryId).join(',')}`);
      },
      writeBatch: (ins: Array<{ queryId: string }>, comps: Array<{ queryId: string }>) =>
        new Promise<void>((resolve, reject) => {
          release = (fail) => (fail ? reject(new Error('down')) : resolve());
          writes.push(
            `batch ${ins.map((r) => r.queryId).join(',')} | ${comps.map((c) => c.queryId).join(',')}`,
          );
        }),
    };
    const rec = new HistoryRecorder(
      writer,
      { flushIntervalMs: 1000, maxQueue: 100, maxQueueBytes: 1 << 20, durableSubmissions: false },
      new Metrics(),
      silentLogger(),
    );
    rec.submitted(row('a'));
    const first = rec.flush();
    await new Promise((r) => setImmediate(r));
    rec.completed({ queryId: 'a', state: 'FINISHED', finishedAt: 2 });
    rec.submitted(row('b'));
    expect(rec.size()).toBe(3); // one being written, two queued
    release(true);
    expect(await first).toBe(false);
    const second = rec.flush();
    await new Promise((r) => setImmediate(r));
    release(false);
    expect(await second).toBe(true);
    expect(writes).toEqual(['batch a | ', 'batch a,b | a']);
    expect(rec.size()).toBe(0);
  });
});

describe('HistoryRecorder with durable submissions', () => {
  it('finishes a row submitted and completed in one turn even when a flush comes before the turn is written', async () => {
    const opened = openDatabase(':memory:');
    const repo = new HistoryRepo(opened.db);
    const rec = new HistoryRecorder(
      writer(opened),
      { flushIntervalMs: 1000, maxQueue: 100, maxQueueBytes: 1 << 20, durableSubmissions: true },
      new Metrics(),
      silentLogger(),
    );
    const stored = rec.submitted(row('q_1'));
    rec.completed({ queryId: 'q_1', state: 'FINISHED', finishedAt: 2000, rows: 1 });
    expect(await rec.flush()).toBe(true); // the periodic flush, landing before this turn's insert
    await stored;
    expect(repo.get('q_1')).toMatchObject({ state: 'FINISHED', finishedAt: 2000, rows: 1 });
    expect(rec.size()).toBe(0);
  });
});
