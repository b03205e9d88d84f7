import type { SlotStore } from '../queue/slot-store.js';
import type { UserRecord } from '../auth/user-directory.js';
import type { BackendRecord, GroupRecord } from '../backends/backend-repo.js';
import type { CatalogSpec, Deployment, DeploymentState } from '../catalogs/catalog-repo.js';
import type { BucketCount, BucketLatency } from '../history/history-stats-repo.js';
import type { HistoryCompletion, HistoryFilter, HistoryRow, NewHistoryRow } from '../history/history-repo.js';
import type { RuleVersion, RuleVersionSummary } from '../routing/rule-version-repo.js';

/**
 * The store ports: one async interface per data area, each with a SQLite adapter (the single-node
 * default; better-sqlite3 is synchronous, so its promises are settled when returned) and a PostgreSQL
 * adapter (shared by replicas). Callers depend on these only. Hot paths (polls) read memory, never a port.
 * Every method's contract is the one its SQLite repo (the *-repo.ts beside its area) documents.
 */

/** Backends and routing groups. Deletes are soft: a deleted name is never re-seeded. */
export interface BackendStore {
  listBackends(): Promise<BackendRecord[]>;
  /** seedBackend inserts a config backend unless the name was ever stored; true when it was inserted. */
  seedBackend(b: BackendRecord, now?: number): Promise<boolean>;
  upsertBackend(b: BackendRecord, now?: number): Promise<void>;
  deleteBackend(name: string, now?: number): Promise<boolean>;
  listGroups(): Promise<GroupRecord[]>;
  seedGroup(g: GroupRecord, now?: number): Promise<boolean>;
  upsertGroup(g: GroupRecord, now?: number): Promise<void>;
  deleteGroup(name: string, now?: number): Promise<boolean>;
}

/** Users added through the admin API (scrypt hashes only). */
export interface UserStore {
  list(): Promise<UserRecord[]>;
  upsert(u: UserRecord, now?: number): Promise<void>;
  delete(name: string): Promise<boolean>;
}

/** Catalog specs per routing group and their deployment on each backend. */
export interface CatalogStore {
  specs(group?: string): Promise<CatalogSpec[]>;
  spec(group: string, name: string): Promise<CatalogSpec | undefined>;
  deployments(group?: string, catalog?: string): Promise<Deployment[]>;
  /** saveSpec stores a new spec version and the listed backends' deployment rows in one transaction. */
  saveSpec(
    s: Pick<CatalogSpec, 'group' | 'name' | 'connector' | 'properties' | 'desired'>,
    backends: readonly string[],
    state: DeploymentState,
    now?: number,
  ): Promise<CatalogSpec>;
  setDeployment(d: Omit<Deployment, 'updatedAt'>, now?: number): Promise<void>;
  deleteDeployment(group: string, catalog: string, backend: string): Promise<void>;
  forgetBackend(backend: string, exceptGroup?: string): Promise<void>;
  /** purgeIfDropped deletes an absent spec once no backend still has it; true when it was deleted. */
  purgeIfDropped(group: string, name: string): Promise<boolean>;
}

/** The query history: one row per query. */
export interface HistoryStore {
  /** writeBatch inserts new rows (a row already there is kept) and applies completions: all or nothing. */
  writeBatch(inserts: NewHistoryRow[], completions: HistoryCompletion[]): Promise<void>;
  /** insertMany writes submissions at once, in one transaction (a row already there is kept). */
  insertMany(rows: NewHistoryRow[]): Promise<void>;
  running(before: number): Promise<Array<Pick<HistoryRow, 'queryId' | 'user' | 'backend'>>>;
  legacySql(after: string, maxBytes: number, limit: number): Promise<Array<{ queryId: string; sql: string }>>;
  rewriteSql(queryId: string, s: { sql: string; sqlBytes: number; sqlSha256: string | null }): Promise<void>;
  get(queryId: string): Promise<HistoryRow | undefined>;
  list(f: HistoryFilter): Promise<HistoryRow[]>;
  countsPerMinute(since: number): Promise<Array<{ minute: number; count: number }>>;
  purgeBefore(cutoff: number): Promise<number>;
}

/** The dashboard's aggregates over the history, one row per bucket (and key). */
export interface HistoryStatsStore {
  countsBy(by: 'backend' | 'group' | 'state', since: number, bucketMs: number): Promise<BucketCount[]>;
  latency(since: number, bucketMs: number): Promise<BucketLatency[]>;
}

/** query id / transaction id → owning backend. */
export interface AffinityStore {
  putQuery(queryId: string, backend: string, now?: number): Promise<void>;
  getQuery(queryId: string): Promise<string | undefined>;
  putTransaction(transactionId: string, backend: string, now?: number): Promise<void>;
  getTransaction(transactionId: string): Promise<string | undefined>;
  deleteTransaction(transactionId: string): Promise<void>;
  purgeBefore(cutoff: number): Promise<number>;
}

/** Small key/value facts kept across restarts (generated secrets, revocations). */
export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** getOrCreateSecret returns the stored random secret under key; the first writer wins a race. */
  getOrCreateSecret(key: string, bytes?: number): Promise<string>;
}

/** Versions of the database routing rules: only ever added (the audit trail). */
export interface RuleVersionStore {
  latest(): Promise<RuleVersion | undefined>;
  get(version: number): Promise<RuleVersion | undefined>;
  list(limit: number): Promise<RuleVersionSummary[]>;
  /** add stores version base+1 if the newest is still `base`; undefined when another save came first. */
  add(base: number, row: Omit<RuleVersion, 'version'>): Promise<RuleVersion | undefined>;
}

/** One failure counter of the login limiter: its key and the failures that block it. */
export interface FailureKey {
  key: string;
  max: number;
}

/** Failed logins counted for every replica (the local FailureLimiter stays the first line). */
export interface LoginFailureStore {
  /**
   * fail counts one failed login on each key, atomically per key: a counter whose window (windowMs from its
   * first failure) has passed and that blocks nothing starts over; reaching its max blocks it for blockMs.
   */
  fail(keys: readonly FailureKey[], windowMs: number, blockMs: number, now?: number): Promise<void>;
  /** blockedUntil returns, of the keys given, those blocked at `now`, with the end of their block. */
  blockedUntil(keys: readonly string[], now?: number): Promise<Map<string, number>>;
  /** clear forgets a key (a successful login clears its address-and-user pair). */
  clear(key: string): Promise<void>;
  /** purgeBefore forgets counters first failed before cutoff that block nothing any more. */
  purgeBefore(cutoff: number): Promise<number>;
}

/** Every port of one database, and how to close it. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgresql';
  readonly backends: BackendStore;
  readonly users: UserStore;
  readonly catalogs: CatalogStore;
  readonly history: HistoryStore;
  readonly historyStats: HistoryStatsStore;
  readonly affinity: AffinityStore;
  readonly settings: SettingsStore;
  readonly ruleVersions: RuleVersionStore;
  /**
   * The gateway queue's slot counts shared by the replicas of this database (PostgreSQL only; SQLite's
   * single node counts in memory): src/queue/pg-slot-store.ts.
   */
  readonly queueSlots?: () => SlotStore;
  readonly loginFailures: LoginFailureStore;
  close(): Promise<void>;
}
