import { openPostgres } from '../../src/db/open-pg.js';
import { openDatabase } from '../../src/db/open.js';
import type { Store } from '../../src/store/ports.js';
import { pgStore } from '../../src/store/pg/pg-store.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createTestDatabase, type TestDatabase } from './pg-test-db.js';

/** One dialect's way to get an empty, migrated store, for the contract suite. */
export interface StoreFixture {
  name: 'sqlite' | 'postgresql';
  /** Called once per file. */
  setUp(): Promise<void>;
  /** A store over the same empty database (a second call: a second replica on it). */
  open(): Promise<Store>;
  /** Empties the database between tests and closes the stores opened. */
  reset(): Promise<void>;
  tearDown(): Promise<void>;
}

const PG_OPTS = { poolSize: 4, connectTimeoutMs: 10_000, queryTimeoutMs: 30_000 };

export function sqliteFixture(): StoreFixture {
  let opened: ReturnType<typeof openDatabase> | undefined;
  return {
    name: 'sqlite',
    setUp: async () => undefined,
    open: async () => sqliteStore((opened ??= openDatabase(':memory:'))),
    reset: async () => {
      opened?.close();
      opened = undefined;
    },
    tearDown: async () => opened?.close(),
  };
}

export function postgresFixture(): StoreFixture {
  let db: TestDatabase;
  let stores: Store[] = [];
  return {
    name: 'postgresql',
    setUp: async () => {
      db = await createTestDatabase();
    },
    open: async () => {
      const s = pgStore(await openPostgres(db.url, PG_OPTS));
      stores.push(s);
      return s;
    },
    reset: async () => {
      await Promise.all(stores.map((x) => x.close()));
      stores = [];
      await truncateAll(db.url);
    },
    tearDown: async () => {
      await Promise.all(stores.map((x) => x.close()));
      await db?.drop();
    },
  };
}

async function truncateAll(url: string): Promise<void> {
  const opened = await openPostgres(url, PG_OPTS);
  try {
    await opened.pool.query(
      `TRUNCATE settings, backends, routing_groups, users, query_history, query_affinity,
        transaction_affinity, catalog_specs, catalog_deployments, rule_versions, login_failures`,
    );
  } finally {
    await opened.close();
  }
}
