import { describe, expect, it } from 'vitest';
import type { CatalogQuery } from '../../src/catalogs/catalog-applier.js';
import { secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { openDatabase } from '../../src/db/open.js';
import { recordCatalogQuery } from '../../src/history/catalog-queries.js';
import { HistoryRecorder } from '../../src/history/recorder.js';
import { storedSql } from '../../src/history/stored-sql.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const isSecret = secretKeyMatcher(['password']);
const SQL = `CREATE CATALOG pg USING postgresql WITH ("connection-password" = 'hunter2')`;

function setup() {
  const store = sqliteStore(openDatabase(':memory:')).history;
  const recorder = new HistoryRecorder(
    store,
    { flushIntervalMs: 60_000, maxQueue: 100, maxQueueBytes: 1 << 20, durableSubmissions: false },
    new Metrics(),
    silentLogger(),
  );
  const store1 = (sql: string) => storedSql(sql, 10_000, isSecret);
  return { store, recorder, record: (q: CatalogQuery) => recordCatalogQuery(recorder, store1, q) };
}
const query = (o: Partial<CatalogQuery> = {}): CatalogQuery => ({
  queryId: '20260101_000000_00001_aaaaa',
  user: 'ops',
  group: 'adhoc',
  backend: 't1',
  sql: SQL,
  startedAt: Date.now() - 50,
  outcome: { ok: true, rows: [] },
  ...o,
});

describe('recordCatalogQuery', () => {
  it('keeps a catalog statement as a finished history row, its secrets redacted', async () => {
    const s = setup();
    const q = query();
    s.record(q);
    await s.recorder.flush();
    const row = await s.store.get(q.queryId);
    expect(row).toMatchObject({
      queryId: q.queryId,
      user: 'ops',
      source: 'switchyard-catalogs',
      routingGroup: 'adhoc',
      backend: 't1',
      state: 'FINISHED',
      submittedAt: q.startedAt,
      sqlBytes: Buffer.byteLength(SQL),
      sqlSha256: null,
      errorName: null,
      errorMessage: null,
    });
    expect(row!.sql).not.toContain('hunter2');
    expect(row!.finishedAt).toBeGreaterThanOrEqual(q.startedAt);
    expect(row!.elapsedMs).toBe(row!.finishedAt! - q.startedAt);
  });

  it("keeps a refused statement as FAILED with Trino's error", async () => {
    const s = setup();
    const q = query({
      outcome: {
        ok: false,
        errorName: 'CATALOG_NOT_AVAILABLE',
        errorType: 'USER_ERROR',
        message: 'no such connector',
      },
    });
    s.record(q);
    await s.recorder.flush();
    expect(await s.store.get(q.queryId)).toMatchObject({
      state: 'FAILED',
      errorName: 'CATALOG_NOT_AVAILABLE',
      errorType: 'USER_ERROR',
      errorMessage: 'no such connector',
    });
  });
});
