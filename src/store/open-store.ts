import type { DatabaseConfig } from '../config/schema.js';
import { openPostgres } from '../db/open-pg.js';
import { openDatabase } from '../db/open.js';
import { pgStore } from './pg/pg-store.js';
import type { Store } from './ports.js';
import { sqliteStore } from './sqlite/sqlite-store.js';

export interface OpenedStore {
  store: Store;
  /** Problems worth a warning at start (a database file other users can read). */
  warnings: string[];
}

/**
 * openStore opens the configured store and migrates it: PostgreSQL when `database.url` is set, else the
 * SQLite file at `database.path`. Fails with a DatabaseError naming the key and the remedy.
 */
export async function openStore(
  cfg: DatabaseConfig,
  onIdleError: (e: Error) => void = () => undefined,
): Promise<OpenedStore> {
  if (cfg.url !== undefined) {
    const opened = await openPostgres(cfg.url, {
      poolSize: cfg.poolSize,
      connectTimeoutMs: cfg.connectTimeoutSeconds * 1000,
      queryTimeoutMs: cfg.queryTimeoutSeconds * 1000,
      onIdleError,
    });
    return { store: pgStore(opened), warnings: [] };
  }
  const opened = openDatabase(cfg.path);
  return { store: sqliteStore(opened), warnings: opened.warnings };
}
