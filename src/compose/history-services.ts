import { secretKeyMatcher } from '../catalogs/secrets.js';
import { HistoryRecorder } from '../history/recorder.js';
import { Retention } from '../history/retention.js';
import { storedSql, type StoredSql } from '../history/stored-sql.js';
import type { HistoryStatsStore, HistoryStore } from '../store/ports.js';
import type { Core } from './core.js';

export interface HistoryServices {
  /** The history store (the store's port; the console and the API read it). */
  history: HistoryStore;
  historyStats: HistoryStatsStore;
  recorder: HistoryRecorder;
  /** Whether a catalog property (and a SQL WITH key) names a secret (catalogs.secretPatterns). */
  isSecretProperty: (key: string) => boolean;
  /** What a history row keeps of a statement (bounded prefix, redacted; length and hash). */
  storeSql: (sql: string) => StoredSql;
  /** What history keeps of SQL text: its bounded prefix with catalog secrets removed. */
  redactSql: (sql: string) => string;
}

/** buildHistory: the history store, its batched recorder and what a row keeps of SQL. */
export function buildHistory(k: Core): HistoryServices {
  const cfg = k.config;
  const isSecretProperty = secretKeyMatcher(cfg.catalogs.secretPatterns);
  const storeSql = (sql: string) => storedSql(sql, cfg.history.maxSqlBytes, isSecretProperty);
  return {
    history: k.store.history,
    historyStats: k.store.historyStats,
    recorder: new HistoryRecorder(k.store.history, cfg.history, k.metrics, k.logger),
    isSecretProperty,
    storeSql,
    redactSql: (sql) => storeSql(sql).sql,
  };
}

const DAY = 86_400_000;

/** buildRetention purges history after history.retentionDays and affinity after two days, hourly. */
export function buildRetention(k: Core): Retention {
  return new Retention({
    targets: [
      { name: 'query_history', store: k.store.history, maxAgeMs: k.config.history.retentionDays * DAY },
      { name: 'affinity', store: k.store.affinity, maxAgeMs: 2 * DAY },
      { name: 'login_failures', store: k.store.loginFailures, maxAgeMs: DAY },
    ],
    intervalMs: 3_600_000,
    logger: k.logger,
    runs: () => k.leadership.isLeader(),
  });
}
