import { sql } from 'drizzle-orm';
import type { PgDb } from '../../db/open-pg.js';
import type { BucketCount, BucketLatency } from '../../history/history-stats-repo.js';
import type { HistoryStatsStore } from '../ports.js';

const bucket = (ms: number) => sql.raw(String(Math.max(1, Math.trunc(ms))));
const COLUMNS = { backend: 'backend', group: 'routing_group', state: 'state' } as const;

/**
 * The dashboard's aggregates in PostgreSQL: the SQLite repo's queries, with bigint results cast to
 * float8 (node-postgres hands int8 over as strings) and greatest() for SQLite's scalar max().
 */
export class PgHistoryStatsStore implements HistoryStatsStore {
  constructor(private readonly db: PgDb) {}

  async countsBy(by: keyof typeof COLUMNS, since: number, bucketMs: number): Promise<BucketCount[]> {
    const col = sql.raw(COLUMNS[by]);
    const b = bucket(bucketMs);
    const r = await this.db.execute<BucketCount & Record<string, unknown>>(sql`
      SELECT ((submitted_at / ${b}) * ${b})::float8 AS bucket, ${col} AS key, count(*)::float8 AS count
      FROM query_history WHERE submitted_at >= ${since}
      GROUP BY 1, 2 ORDER BY 1, 2`);
    return r.rows;
  }

  async latency(since: number, bucketMs: number): Promise<BucketLatency[]> {
    const b = bucket(bucketMs);
    const r = await this.db.execute<BucketLatency & Record<string, unknown>>(sql`
      WITH t AS (
        SELECT (submitted_at / ${b}) * ${b} AS bucket, elapsed_ms AS e,
          row_number() OVER (PARTITION BY submitted_at / ${b} ORDER BY elapsed_ms) AS rn,
          count(*) OVER (PARTITION BY submitted_at / ${b}) AS n
        FROM query_history
        WHERE submitted_at >= ${since} AND elapsed_ms IS NOT NULL AND state != 'RUNNING')
      SELECT bucket::float8 AS bucket,
        max(CASE WHEN rn = greatest(1, (n * 50 + 99) / 100) THEN e END)::float8 AS p50,
        max(CASE WHEN rn = greatest(1, (n * 95 + 99) / 100) THEN e END)::float8 AS p95,
        max(n)::float8 AS n
      FROM t GROUP BY bucket ORDER BY bucket`);
    return r.rows;
  }
}
