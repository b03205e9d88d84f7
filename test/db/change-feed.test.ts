import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { openPostgres } from '../../src/db/open-pg.js';
import { ChangeFeed } from '../../src/store/pg/change-feed.js';
import { pgStore } from '../../src/store/pg/pg-store.js';
import type { Store } from '../../src/store/ports.js';
import { createTestDatabase, type TestDatabase } from './pg-test-db.js';

const b1: BackendRecord = {
  name: 'b1',
  url: 'http://b1:8080',
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql',
  processForwarded: false,
  advertisedUrls: [],
};

/** next resolves with the feed's next event of that name (the test fails by timeout if none comes). */
const next = <T extends 'change' | 'reload'>(feed: ChangeFeed, ev: T) =>
  new Promise<unknown>((resolve) =>
    (feed as unknown as NodeJS.EventEmitter).once(ev, (...a: unknown[]) => resolve(a[0] ?? ev)),
  );

describe('the change feed between replicas', () => {
  let db: TestDatabase;
  let writer: Store;
  beforeAll(async () => {
    db = await createTestDatabase();
    writer = pgStore(
      await openPostgres(db.url, { poolSize: 2, connectTimeoutMs: 5000, queryTimeoutMs: 10_000 }),
    );
  });
  afterAll(async () => {
    await writer?.close();
    await db?.drop();
  });

  it('tells another replica which area changed once the write commits', async () => {
    const feed = new ChangeFeed({ url: db.url });
    await feed.start();
    expect(feed.connected()).toBe(true);
    const heard = next(feed, 'change');
    await writer.backends.upsertBackend(b1);
    expect(await heard).toBe('backends');
    const rules = next(feed, 'change');
    await writer.ruleVersions.add(0, { yaml: '', author: 'a', summary: 's', createdAt: 1 });
    expect(await rules).toBe('rules');
    await feed.stop();
  });

  it('asks for a full reload after its connection is cut, and after a change it never heard of', async () => {
    const feed = new ChangeFeed({ url: db.url, retryMs: 50, checkIntervalMs: 100 });
    const events: unknown[] = [];
    feed.on('change', (a) => events.push(a));
    await feed.start();
    const reload = next(feed, 'reload');
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()
        AND pid <> pg_backend_pid() AND (query LIKE 'LISTEN%' OR query LIKE 'SELECT value FROM settings%')`,
    );
    expect(await reload).toBe('reload');
    // A version bump without a notice (as if the notice were lost): the interval check catches it.
    const missed = next(feed, 'reload');
    await admin.query(`UPDATE settings SET value = (value::bigint + 1)::text WHERE key = 'config-version'`);
    expect(await missed).toBe('reload');
    // An announced change carries its version: the next check has nothing left to reload for.
    const heard = next(feed, 'change');
    await writer.users.upsert({ name: 'u', passwordHash: 'h', groups: [], roles: ['user'] });
    expect(await heard).toBe('users');
    const stored = await admin.query(`SELECT value FROM settings WHERE key = 'config-version'`);
    expect(feed.seenVersion()).toBe(stored.rows[0].value);
    await admin.end();
    await feed.stop();
  });
});
