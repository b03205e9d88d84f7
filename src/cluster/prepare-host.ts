import { resolve } from 'node:path';
import { loadSealKey } from '../catalogs/seal-key.js';
import { storedSecrets } from '../compose/open-resources.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { openDatabase } from '../db/open.js';
import { applyDeclared } from '../declared/apply-declared.js';
import type { Logger } from '../observability/logger.js';
import { sqliteStore } from '../store/sqlite/sqlite-store.js';

/**
 * prepareHost runs in the primary before any worker starts, so what must happen once does: the SQLite
 * migrations (two workers migrating together would have one fail on the write lock), the generated
 * secrets every worker signs with, and the catalog seal key file beside the database (created with
 * O_EXCL: a second creator would fail). Workers then find all three in place. Throws DatabaseError (one
 * line naming the file) when the database cannot be opened or migrated. It also applies the file's groups
 * and backends (one writer, one seed-mode warning), which the workers then leave alone.
 */
export async function prepareHost(cfg: GatewayConfig, logger: Logger): Promise<void> {
  // PostgreSQL migrates under an advisory lock in each process, and needs a configured seal key.
  if (cfg.database.url !== undefined) return;
  const dbPath = resolve(cfg.baseDir, cfg.database.path);
  const db = openDatabase(dbPath);
  try {
    const store = sqliteStore(db);
    await applyDeclared(cfg, store, logger);
    await storedSecrets(cfg, store.settings);
    const c = cfg.catalogs;
    loadSealKey(
      { sealKey: c.sealKey, sealKeyFile: c.sealKeyFile, baseDir: cfg.baseDir, databasePath: dbPath },
      logger,
    );
  } finally {
    db.close();
  }
}
