import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { createTestDatabase, type TestDatabase } from './pg-test-db.js';

/** table → sorted column names, as each dialect's migrations left the database (not as the schema says). */
type Columns = Record<string, string[]>;

function sqliteColumns(): Columns {
  const { sqlite, close } = openDatabase(':memory:');
  const tables = sqlite
    .prepare(
      "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%'",
    )
    .all() as Array<{ name: string }>;
  const out: Columns = {};
  for (const t of tables)
    out[t.name] = (sqlite.prepare(`PRAGMA table_info(${t.name})`).all() as Array<{ name: string }>)
      .map((c) => c.name)
      .sort();
  close();
  return out;
}

describe('the migrated schemas of both dialects', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('have the same tables with the same columns', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
    );
    await c.end();
    const pgCols: Columns = {};
    for (const x of r.rows) (pgCols[x.table_name] ??= []).push(x.column_name);
    for (const k of Object.keys(pgCols)) pgCols[k]!.sort();
    expect(pgCols).toEqual(sqliteColumns());
  });
});
