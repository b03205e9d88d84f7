import { sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';

/** A count of queries submitted in one time bucket, by one key (backend, routing group or final state). */
export interface BucketCount {
  bucket: number;
  key: string;
  count: number;
}

/** Query times of the queries that finished in one bucket: nearest-rank p50 and p95 in ms. */
export interface BucketLatency {
  bucket: number;
  p50: number;
  p95: number;
  n: number;
}

/**
 * The bucket width as an SQL integer: a bound JS number arrives as a REAL, and a REAL division would not
 * truncate (every query its own bucket).
 */
const bucket = (ms: number) => sql.raw(String(Math.max(1, Math.trunc(ms))));

const COLUMNS = { backend: 'backend', group: 'routing_group', state: 'state' } as const;

/**
 * The dashboard's aggregates over the query history. Every query groups in SQLite on the submitted-time
 * index and answers one row per bucket (and key): the answer's size is bounded by the window, not by the
 * number of queries in it.
 */
export class HistoryStatsRepo {
  constructor(private readonly db: Db) {}

  /** countsBy counts queries submitted since `since`, per bucket of `bucketMs` and per `by`. */
  countsBy(by: keyof typeof COLUMNS, since: number, bucketMs: number): BucketCount[] {
    const col = sql.raw(COLUMNS[by]);
    const b = bucket(bucketMs);
    return this.db.all<BucketCount>(sql`
      SELECT (submitted_at / ${b}) * ${b} AS bucket, ${col} AS key, count(*) AS count
      FROM query_history WHERE submitted_at >= ${since}
      GROUP BY 1, 2 ORDER BY 1, 2`);
  }

  /**
   * latency gives p50 and p95 of the query time (elapsed) of queries submitted since `since` that
   * completed (finished, failed or canceled), per bucket: nearest rank, ceil(p·n), computed with window functions inside SQLite.
   */
  latency(since: number, bucketMs: number): BucketLatency[] {
    const b = bucket(bucketMs);
    return this.db.all<BucketLatency>(sql`
      WITH t AS (
        SELECT (submitted_at / ${b}) * ${b} AS bucket, elapsed_ms AS e,
          row_number() OVER (PARTITION BY submitted_at / ${b} ORDER BY elapsed_ms) AS rn,
          count(*) OVER (PARTITION BY submitted_at / ${b}) AS n
        FROM query_history
        WHERE submitted_at >= ${since} AND elapsed_ms IS NOT NULL AND state != 'RUNNING')
      SELECT bucket,
        max(CASE WHEN rn = max(1, (n * 50 + 99) / 100) THEN e END) AS p50,
        max(CASE WHEN rn = max(1, (n * 95 + 99) / 100) THEN e END) AS p95,
        max(n) AS n
      FROM t GROUP BY bucket ORDER BY bucket`);
  }
}
