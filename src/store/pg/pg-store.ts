import type { OpenedPg } from '../../db/open-pg.js';
import type { Store } from '../ports.js';
import { PgAffinityStore } from './pg-affinity-store.js';
import { PgBackendStore } from './pg-backend-store.js';
import { PgCatalogStore } from './pg-catalog-store.js';
import { PgHistoryStatsStore } from './pg-history-stats-store.js';
import { PgHistoryStore } from './pg-history-store.js';
import { PgLoginFailureStore } from './pg-login-failure-store.js';
import { PgRuleVersionStore } from './pg-rule-version-store.js';
import { PgSettingsStore } from './pg-settings-store.js';
import { PgUserStore } from './pg-user-store.js';
import { PgSlotStore } from '../../queue/pg-slot-store.js';

/** The PostgreSQL adapter: every port on one pool; `close` ends the pool. */
export function pgStore(opened: OpenedPg): Store {
  const db = opened.db;
  return {
    dialect: 'postgresql',
    backends: new PgBackendStore(db),
    users: new PgUserStore(db),
    catalogs: new PgCatalogStore(db),
    history: new PgHistoryStore(db),
    historyStats: new PgHistoryStatsStore(db),
    affinity: new PgAffinityStore(db),
    settings: new PgSettingsStore(db),
    ruleVersions: new PgRuleVersionStore(db),
    queueSlots: () => new PgSlotStore(opened.pool),
    loginFailures: new PgLoginFailureStore(db),
    close: () => opened.close(),
  };
}
