import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './pg-test-db.js';

describe('the test PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('gives each test file a database of its own that accepts writes', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('CREATE TABLE t (v int)');
      await c.query('INSERT INTO t VALUES (1), (2)');
      const r = await c.query<{ n: number; db: string }>(
        'SELECT count(*)::int AS n, current_database() AS db FROM t',
      );
      expect(r.rows[0]).toEqual({ n: 2, db: new URL(db.url).pathname.slice(1) });
    } finally {
      await c.end();
    }
  });

  it('copies the template: a second database starts without the first one’s tables, with the schema', async () => {
    const other = await createTestDatabase();
    const c = new pg.Client({ connectionString: other.url });
    await c.connect();
    try {
      const r = await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'");
      expect(r.rows[0].n).toBe(0);
      const h = await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'query_history'");
      expect(h.rows[0].n).toBe(1);
    } finally {
      await c.end();
      await other.drop();
    }
  });
});
