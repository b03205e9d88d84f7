import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { HistoryStore } from '../store/ports.js';
import { repairRunningRows, type Adopter } from './history-repair.js';
import { boundLegacyRows } from './legacy-sql.js';
import type { HistoryRecorder } from './recorder.js';
import { storedError, storedSql } from './stored-sql.js';

export interface HistoryStartUp {
  repo: Pick<HistoryStore, 'running' | 'legacySql' | 'rewriteSql'>;
  recorder: HistoryRecorder;
  registry: BackendRegistry;
  tracker: Adopter;
  /** When this run began: RUNNING rows from before it belong to an earlier run. */
  bornAt: number;
  maxSqlBytes: number;
  isSecretKey: (key: string) => boolean;
  /** Trino user the gateway asks clusters as (catalogs.user). */
  user: string;
  timeoutMs: number;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * settleHistory does the history work of a start, in the background: rows an older release wrote are
 * bounded and redacted, and rows an earlier run left RUNNING are settled from what their clusters say.
 * Resolves when both are done; never rejects.
 */
export function settleHistory(o: HistoryStartUp): Promise<unknown> {
  const store = (sql: string) => storedSql(sql, o.maxSqlBytes, o.isSecretKey);
  return Promise.all([
    boundLegacyRows(o.repo, o.maxSqlBytes, store, o.logger, o.signal),
    repairRunningRows({
      repo: o.repo,
      registry: o.registry,
      tracker: o.tracker,
      complete: (row) => o.recorder.completed(row),
      startedAt: o.bornAt,
      user: o.user,
      timeoutMs: o.timeoutMs,
      logger: o.logger,
      scrub: (m) => storedError(m, undefined, o.isSecretKey),
    }),
  ]);
}
