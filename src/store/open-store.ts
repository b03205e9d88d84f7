import type { DatabaseConfig } from '../config/schema.js';
import { openPostgres, type OpenedPg } from '../db/open-pg.js';
import { openDatabase, type OpenedDb } from '../db/open.js';
import { pgStore } from './pg/pg-store.js';
import type { Store } from './ports.js';
import { sqliteStore } from './sqlite/sqlite-store.js';

export interface OpenedStore {
  store: Store;
  /** Problems worth a warning at start (a database file other users can read). */
  warnings: string[];
  /** The SQLite file, when the store is SQLite. */
  sqlite?: OpenedDb;
  /** The PostgreSQL pool and its connection settings, when the store is PostgreSQL. */
  pg?: OpenedPg;
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
    return { store: pgStore(opened), warnings: [], pg: opened };
  }
  const opened = openDatabase(cfg.path);
  return { store: sqliteStore(opened), warnings: opened.warnings, sqlite: opened };
}
