import pg from 'pg';
import { PgSlotStore } from '../../src/queue/pg-slot-store.js';
import type { SlotStore } from '../../src/queue/slot-store.js';
import { createTestDatabase, type TestDatabase } from '../db/pg-test-db.js';

/** A fixture gives a fresh slot store per case. */
export interface Fixture {
  name: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  fresh(): Promise<SlotStore>;
}

/** pgFixture: a private PostgreSQL database (SWITCHYARD_TEST_PG) and a pool on it; fresh() empties the slots. */
export function pgFixture(): Fixture & { pool: () => pg.Pool } {
  let db: TestDatabase;
  let pool: pg.Pool;
  return {
    name: 'PostgreSQL',
    setUp: async () => {
      db = await createTestDatabase();
      pool = new pg.Pool({ connectionString: db.url, max: 10 });
      pool.on('error', () => undefined); // idle connections ended by the database's drop
    },
    tearDown: async () => {
      await pool?.end();
      await db?.drop();
    },
    fresh: async () => {
      await pool.query('DELETE FROM queue_slots');
      return new PgSlotStore(pool);
    },
    pool: () => pool,
  };
}
