import type { Replica } from '../cluster/replica.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { OpenedDb } from '../db/open.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/ports.js';
import type { Leadership } from './leadership.js';
import type { Preload, StoredSecrets } from './open-resources.js';

/** What every sub-builder is given: the frozen config, the opened database and the process-wide sinks. */
export interface Core {
  config: GatewayConfig;
  logger: Logger;
  metrics: Metrics;
  /** The SQLite file, when the store is SQLite (undefined on PostgreSQL). */
  db: OpenedDb | undefined;
  /** The store ports (the async data areas; SQLite or PostgreSQL). */
  store: Store;
  /** What was read through the store's ports at start, for the synchronous services. */
  preload: Preload;
  /** Where the store is: the SQLite path as opened (`:memory:`, or absolute), or the PostgreSQL URL without its password. */
  dbPath: string;
  secrets: StoredSecrets;
  /** The other processes on the same store (workers of this host), or none. */
  replica: Replica;
  /** Whether this replica runs the work one replica does for all (always, on SQLite). */
  leadership: Leadership;
}
