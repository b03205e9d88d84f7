import type { Replica } from '../cluster/replica.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { OpenedDb } from '../db/open.js';
import type { SettingsRepo } from '../db/settings-repo.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/ports.js';
import type { Preload, StoredSecrets } from './open-resources.js';

/** What every sub-builder is given: the frozen config, the opened database and the process-wide sinks. */
export interface Core {
  config: GatewayConfig;
  logger: Logger;
  metrics: Metrics;
  db: OpenedDb;
  /** The store ports (the async data areas; SQLite or PostgreSQL). */
  store: Store;
  /** What was read through the store's ports at start, for the synchronous services. */
  preload: Preload;
  /** The database path as opened (`:memory:`, or absolute). */
  dbPath: string;
  settings: SettingsRepo;
  secrets: StoredSecrets;
  /** The other processes on the same store (workers of this host), or none. */
  replica: Replica;
}
