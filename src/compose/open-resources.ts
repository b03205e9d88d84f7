import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSealKey } from '../catalogs/seal-key.js';
import { SecretSealer } from '../catalogs/secrets.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { DatabaseError, openDatabase, type OpenedDb } from '../db/open.js';
import type { UserRecord } from '../auth/user-directory.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { RuleEngine } from '../routing/rule-engine.js';
import { openRules } from '../routing/rule-start.js';
import { applyDeclared } from '../declared/apply-declared.js';
import type { SettingsStore, Store } from '../store/ports.js';
import { sqliteStore } from '../store/sqlite/sqlite-store.js';

/** Secrets kept in the settings table, generated on first use and kept across restarts. */
export interface StoredSecrets {
  /** Signs follow-up handles (server.affinitySecret when set). */
  affinity: string;
  /** Signs console session cookies and CSRF tokens. */
  consoleSession: string;
  /** Signs OIDC state cookies; only read when OIDC sign-in is configured. */
  oidc?: string;
}

/**
 * What the synchronous services need from the store, read through its ports before they are built (so
 * building them reads nothing, whatever the dialect).
 */
export interface Preload {
  /** The users added through the admin API. */
  users: UserRecord[];
}

/** Everything the gateway reads from disk before it builds a single service. */
export interface Resources {
  db: OpenedDb;
  /** The store ports over `db` (history, users and database rules go through them). */
  store: Store;
  preload: Preload;
  /** The database path as opened (`:memory:`, or absolute). */
  dbPath: string;
  rules: RuleEngine;
  sealer: SecretSealer;
  secrets: StoredSecrets;
  tls?: { cert: Buffer; key: Buffer };
}

/**
 * openResources does all the start-up I/O: opens and migrates the database, applies the config's groups
 * and backends (declared/apply-declared.ts), reads the stored secrets and the TLS files, loads the routing
 * rules (watching their directory until `signal` aborts) and imports the catalog seal key. On failure
 * nothing stays open.
 */
export async function openResources(
  cfg: GatewayConfig,
  logger: Logger,
  metrics: Metrics,
  signal: AbortSignal,
  /** declare: false leaves the file's groups and backends to the primary (server.workers: it applied them). */
  o: { declare?: boolean } = {},
): Promise<Resources> {
  const tls = cfg.server.tls && {
    cert: readFileSync(resolve(cfg.baseDir, cfg.server.tls.cert)),
    key: readFileSync(resolve(cfg.baseDir, cfg.server.tls.key)),
  };
  // The PostgreSQL store (src/store/pg) is not wired into the services yet: refuse rather than ignore it.
  if (cfg.database.url !== undefined)
    throw new DatabaseError(
      'database.url: this build runs its services on SQLite only (database.path); remove database.url',
    );
  const dbPath = cfg.database.path === ':memory:' ? ':memory:' : resolve(cfg.baseDir, cfg.database.path);
  const db = openDatabase(dbPath);
  try {
    for (const w of db.warnings) logger.warn({ path: dbPath }, w);
    const store = sqliteStore(db);
    if (o.declare !== false) await applyDeclared(cfg, store, logger);
    const secrets = await storedSecrets(cfg, store.settings);
    const preload: Preload = { users: await store.users.list() };
    const c = cfg.catalogs;
    const key = loadSealKey(
      { sealKey: c.sealKey, sealKeyFile: c.sealKeyFile, baseDir: cfg.baseDir, databasePath: dbPath },
      logger,
    );
    const sealer = await SecretSealer.fromKey(key);
    const rules = await openRules(cfg, logger, metrics, signal);
    return { db, store, preload, dbPath, rules, sealer, secrets, tls };
  } catch (e) {
    db.close();
    throw e;
  }
}

/** storedSecrets reads the generated secrets, generating those missing (the first writer wins a race). */
export async function storedSecrets(cfg: GatewayConfig, settings: SettingsStore): Promise<StoredSecrets> {
  return {
    affinity: cfg.server.affinitySecret ?? (await settings.getOrCreateSecret('affinity-secret')),
    consoleSession: await settings.getOrCreateSecret('console-session-secret'),
    oidc: oidcEnabled(cfg) ? await settings.getOrCreateSecret('oidc-secret') : undefined,
  };
}

/** oidcEnabled: OIDC sign-in is configured and authentication is on. */
export function oidcEnabled(cfg: GatewayConfig): boolean {
  return !!cfg.auth.oidc && cfg.auth.mode !== 'none';
}
