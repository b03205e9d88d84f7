import type { Logger } from '../observability/logger.js';
import type { HistoryStore } from '../store/ports.js';
import type { StoredSql } from './stored-sql.js';

const BATCH = 100;

/**
 * boundLegacyRows brings rows an older Switchyard wrote (whole statements up to 4 MB, redaction of
 * leading CREATE CATALOG only) to today's form: bounded prefix, every catalog form redacted, length and
 * hash. Serving history no longer redacts, so this runs once at start, in batches of 100 rows between
 * which the event loop is free. Rows already in today's form (sql_bytes set) are never read. Never throws.
 */
export async function boundLegacyRows(
  repo: Pick<HistoryStore, 'legacySql' | 'rewriteSql'>,
  maxBytes: number,
  store: (sql: string) => StoredSql,
  logger: Logger,
  signal?: AbortSignal,
): Promise<number> {
  let after = '';
  let done = 0;
  try {
    for (;;) {
      if (signal?.aborted) return done;
      const rows = await repo.legacySql(after, maxBytes, BATCH);
      if (rows.length === 0) break;
      for (const r of rows) {
        const s = store(r.sql);
        await repo.rewriteSql(r.queryId, { sql: s.sql, sqlBytes: s.sqlBytes, sqlSha256: s.sqlSha256 });
      }
      done += rows.length;
      after = rows[rows.length - 1].queryId;
      await new Promise((r) => setImmediate(r));
    }
  } catch (e) {
    logger.warn(
      { err: (e as Error).message, done },
      'could not bound older history rows; will retry at the next start',
    );
    return done;
  }
  if (done > 0) logger.info({ rows: done }, 'older history rows bounded and redacted');
  return done;
}
