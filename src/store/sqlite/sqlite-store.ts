import { UserRepo } from '../../auth/user-repo.js';
import { BackendRepo } from '../../backends/backend-repo.js';
import { CatalogRepo } from '../../catalogs/catalog-repo.js';
import type { OpenedDb } from '../../db/open.js';
import { SettingsRepo } from '../../db/settings-repo.js';
import { HistoryRepo } from '../../history/history-repo.js';
import { HistoryStatsRepo } from '../../history/history-stats-repo.js';
import { AffinityRepo } from '../../proxy/affinity-repo.js';
import { RuleVersionRepo } from '../../routing/rule-version-repo.js';
import { asyncPort } from '../async-port.js';
import type {
  AffinityStore,
  BackendStore,
  CatalogStore,
  HistoryStatsStore,
  HistoryStore,
  RuleVersionStore,
  SettingsStore,
  Store,
  UserStore,
} from '../ports.js';

/**
 * The SQLite adapter: the single-node default. Each port is the area's better-sqlite3 repo (the SQL and
 * its behaviour are unchanged) offered through asyncPort. `close` closes the file.
 */
export function sqliteStore(opened: OpenedDb): Store {
  const db = opened.db;
  return {
    dialect: 'sqlite',
    backends: asyncPort<BackendStore>(new BackendRepo(db), {
      listBackends: true,
      seedBackend: true,
      upsertBackend: true,
      deleteBackend: true,
      listGroups: true,
      seedGroup: true,
      upsertGroup: true,
      deleteGroup: true,
    }),
    users: asyncPort<UserStore>(new UserRepo(db), { list: true, upsert: true, delete: true }),
    catalogs: asyncPort<CatalogStore>(new CatalogRepo(db), {
      specs: true,
      spec: true,
      deployments: true,
      saveSpec: true,
      setDeployment: true,
      deleteDeployment: true,
      forgetBackend: true,
      purgeIfDropped: true,
    }),
    history: asyncPort<HistoryStore>(new HistoryRepo(db), {
      writeBatch: true,
      insertMany: true,
      running: true,
      legacySql: true,
      rewriteSql: true,
      get: true,
      list: true,
      countsPerMinute: true,
      purgeBefore: true,
    }),
    historyStats: asyncPort<HistoryStatsStore>(new HistoryStatsRepo(db), { countsBy: true, latency: true }),
    affinity: asyncPort<AffinityStore>(new AffinityRepo(db), {
      putQuery: true,
      getQuery: true,
      putTransaction: true,
      getTransaction: true,
      deleteTransaction: true,
      purgeBefore: true,
    }),
    settings: asyncPort<SettingsStore>(new SettingsRepo(db), {
      get: true,
      set: true,
      getOrCreateSecret: true,
    }),
    ruleVersions: asyncPort<RuleVersionStore>(new RuleVersionRepo(db), {
      latest: true,
      get: true,
      list: true,
      add: true,
    }),
    close: async () => opened.close(),
  };
}
