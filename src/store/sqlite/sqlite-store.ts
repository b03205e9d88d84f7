import { LoginFailureRepo } from '../../auth/login-failure-repo.js';
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
  LoginFailureStore,
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
    backends: backendPort(new BackendRepo(db)),
    users: asyncPort<UserStore>(new UserRepo(db), { list: true, upsert: true, delete: true }),
    catalogs: catalogPort(new CatalogRepo(db)),
    history: historyPort(new HistoryRepo(db)),
    historyStats: historyStatsPort(new HistoryStatsRepo(db)),
    affinity: affinityPort(new AffinityRepo(db)),
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
    loginFailures: asyncPort<LoginFailureStore>(new LoginFailureRepo(db), {
      fail: true,
      blockedUntil: true,
      clear: true,
      purgeBefore: true,
    }),
    close: async () => opened.close(),
  };
}

/** backendPort offers a BackendRepo as the BackendStore port (tests build registries over one). */
export function backendPort(repo: BackendRepo): BackendStore {
  return asyncPort<BackendStore>(repo, {
    listBackends: true,
    seedBackend: true,
    upsertBackend: true,
    deleteBackend: true,
    listGroups: true,
    seedGroup: true,
    upsertGroup: true,
    deleteGroup: true,
  });
}

/** catalogPort offers a CatalogRepo as the CatalogStore port. */
export function catalogPort(repo: CatalogRepo): CatalogStore {
  return asyncPort<CatalogStore>(repo, {
    specs: true,
    spec: true,
    deployments: true,
    saveSpec: true,
    setDeployment: true,
    deleteDeployment: true,
    forgetBackend: true,
    purgeIfDropped: true,
  });
}

/** historyPort offers a HistoryRepo as the HistoryStore port. */
export function historyPort(repo: HistoryRepo): HistoryStore {
  return asyncPort<HistoryStore>(repo, {
    writeBatch: true,
    insertMany: true,
    running: true,
    legacySql: true,
    rewriteSql: true,
    get: true,
    list: true,
    countsPerMinute: true,
    purgeBefore: true,
  });
}

/** historyStatsPort offers a HistoryStatsRepo as the HistoryStatsStore port. */
export function historyStatsPort(repo: HistoryStatsRepo): HistoryStatsStore {
  return asyncPort<HistoryStatsStore>(repo, { countsBy: true, latency: true });
}

/** affinityPort offers an AffinityRepo as the AffinityStore port. */
export function affinityPort(repo: AffinityRepo): AffinityStore {
  return asyncPort<AffinityStore>(repo, {
    putQuery: true,
    getQuery: true,
    putTransaction: true,
    getTransaction: true,
    deleteTransaction: true,
    purgeBefore: true,
  });
}
