import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSealKey } from '../catalogs/seal-key.js';
import { SecretSealer } from '../catalogs/secrets.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { OpenedDb } from '../db/open.js';
import { redactUrl } from '../db/open-pg.js';
import type { UserRecord } from '../auth/user-directory.js';
import type { RegistrySnapshot } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { RuleEngine } from '../routing/rule-engine.js';
import { openRules } from '../routing/rule-start.js';
import { applyDeclared } from '../declared/apply-declared.js';
import { openStore } from '../store/open-store.js';
import type { SettingsStore, Store } from '../store/ports.js';

/** The settings row holding revoked console sessions (one JSON object: session id → expiry). */
export const REVOKED_SESSIONS_KEY = 'console-revoked-sessions';

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
  /** The stored backends and routing groups (after the config's were seeded). */
  registry: RegistrySnapshot;
  /** Revoked console sessions (id → expiry). */
  revokedSessions: Record<string, number>;
}

/** Everything the gateway reads from disk before it builds a single service. */
export interface Resources {
  /** The SQLite file, when the store is SQLite (undefined on PostgreSQL). */
  db: OpenedDb | undefined;
  /** The store's ports (SQLite or PostgreSQL): every data area goes through them. */
  store: Store;
  preload: Preload;
  /** The SQLite path as opened (`:memory:`, or absolute), or the PostgreSQL URL without its password. */
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
  const c = cfg.catalogs;
  const url = cfg.database.url;
  const dbPath =
    url !== undefined
      ? redactUrl(url)
      : cfg.database.path === ':memory:'
        ? ':memory:'
        : resolve(cfg.baseDir, cfg.database.path);
  const opened = await openStore(
    { ...cfg.database, path: url === undefined ? dbPath : cfg.database.path },
    (e) => logger.warn({ err: e.message }, 'an idle PostgreSQL connection failed'),
  );
  const { store } = opened;
  try {
    for (const w of opened.warnings) logger.warn({ path: dbPath }, w);
    if (o.declare !== false) await applyDeclared(cfg, store, logger);
    const secrets = await storedSecrets(cfg, store.settings);
    const preload = await readPreload(store);
    const key = loadSealKey(
      { sealKey: c.sealKey, sealKeyFile: c.sealKeyFile, baseDir: cfg.baseDir, databasePath: dbPath },
      logger,
    );
    const sealer = await SecretSealer.fromKey(key);
    const rules = await openRules(cfg, logger, metrics, signal);
    return { db: opened.sqlite, store, preload, dbPath, rules, sealer, secrets, tls };
  } catch (e) {
    await store.close();
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

/** readPreload reads, through the ports, what the synchronous services are built from. */
export async function readPreload(store: Store): Promise<Preload> {
  const [users, backends, groups, revokedSessions] = await Promise.all([
    store.users.list(),
    store.backends.listBackends(),
    store.backends.listGroups(),
    readRevoked(store.settings),
  ]);
  return { users, registry: { backends, groups }, revokedSessions };
}

export async function readRevoked(settings: SettingsStore): Promise<Record<string, number>> {
  try {
    const v = JSON.parse((await settings.get(REVOKED_SESSIONS_KEY)) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** oidcEnabled: OIDC sign-in is configured and authentication is on. */
export function oidcEnabled(cfg: GatewayConfig): boolean {
  return !!cfg.auth.oidc && cfg.auth.mode !== 'none';
}
