import type { CatalogQuery } from '../catalogs/catalog-service.js';
import type { HistoryRecorder } from './recorder.js';
import type { StoredSql } from './stored-sql.js';

/**
 * recordCatalogQuery keeps a CREATE/DROP CATALOG the gateway ran on a backend as a query-history row
 * (source `switchyard-catalogs`), its SQL passed through `store` (bounded, redacted) so no secret is stored.
 */
export function recordCatalogQuery(
  recorder: HistoryRecorder,
  store: (sql: string) => StoredSql,
  q: CatalogQuery,
): void {
  const now = Date.now();
  const stored = store(q.sql);
  const o = q.outcome;
  recorder.submitted({
    queryId: q.queryId,
    user: q.user,
    source: 'switchyard-catalogs',
    routingGroup: q.group,
    backend: q.backend,
    sql: stored.sql,
    sqlBytes: stored.sqlBytes,
    sqlSha256: stored.sqlSha256,
    submittedAt: q.startedAt,
    state: 'RUNNING',
  });
  recorder.completed({
    queryId: q.queryId,
    finishedAt: now,
    state: o.ok ? 'FINISHED' : 'FAILED',
    errorName: o.ok ? null : o.errorName,
    errorType: o.ok ? null : (o.errorType ?? null),
    errorMessage: o.ok ? null : o.message,
    elapsedMs: now - q.startedAt,
    rows: null,
    bytes: null,
  });
}
