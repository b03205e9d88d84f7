import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { HistoryRepo } from '../../src/history/history-repo.js';
import { HistoryStatsRepo } from '../../src/history/history-stats-repo.js';

const MIN = 60_000;

function withRows(rows: Array<{ at: number; backend?: string; state?: string; elapsed?: number | null }>) {
  const { db } = openDatabase(':memory:');
  new HistoryRepo(db).writeBatch(
    rows.map((r, i) => ({
      queryId: `q${String(i).padStart(4, '0')}`,
      user: 'u',
      routingGroup: r.backend === 'b2' ? 'etl' : 'adhoc',
      backend: r.backend ?? 'b1',
      sql: 'SELECT 1',
      submittedAt: r.at,
      state: r.state ?? 'FINISHED',
      elapsedMs: r.elapsed === undefined ? 100 : r.elapsed,
    })),
    [],
  );
  return new HistoryStatsRepo(db);
}

describe('dashboard aggregates over the history', () => {
  it('counts per bucket and key, from the window start on', () => {
    const s = withRows([
      { at: 0 },
      { at: 10 * MIN, backend: 'b2' },
      { at: 10 * MIN + 1, backend: 'b2', state: 'FAILED' },
      { at: 11 * MIN },
    ]);
    expect(s.countsBy('backend', 10 * MIN, MIN)).toEqual([
      { bucket: 10 * MIN, key: 'b2', count: 2 },
      { bucket: 11 * MIN, key: 'b1', count: 1 },
    ]);
    expect(s.countsBy('group', 0, 60 * MIN)).toEqual([
      { bucket: 0, key: 'adhoc', count: 2 },
      { bucket: 0, key: 'etl', count: 2 },
    ]);
    expect(s.countsBy('state', 0, 60 * MIN).find((r) => r.key === 'FAILED')?.count).toBe(1);
  });

  it.each([
    [[100], 100, 100],
    [[300, 100, 200], 200, 300],
    [Array.from({ length: 20 }, (_, i) => (i + 1) * 10), 100, 190],
    [Array.from({ length: 100 }, (_, i) => i + 1), 50, 95],
  ])('nearest-rank p50 and p95 of %j are %i and %i', (elapsed, p50, p95) => {
    const s = withRows(elapsed.map((e) => ({ at: 5, elapsed: e })));
    expect(s.latency(0, MIN)).toEqual([{ bucket: 0, p50, p95, n: elapsed.length }]);
  });

  it('leaves running queries and queries without a time out of the percentiles', () => {
    const s = withRows([
      { at: 0, elapsed: 10 },
      { at: 0, elapsed: 5000, state: 'RUNNING' },
      { at: 0, elapsed: null },
      { at: MIN, elapsed: 20 },
    ]);
    expect(s.latency(0, MIN)).toEqual([
      { bucket: 0, p50: 10, p95: 10, n: 1 },
      { bucket: MIN, p50: 20, p95: 20, n: 1 },
    ]);
  });
});
