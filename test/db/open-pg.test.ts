import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseSchema } from '../../src/config/schema.js';
import { openPostgres } from '../../src/db/open-pg.js';
import { DatabaseError } from '../../src/db/open.js';
import { createTestDatabase, testPostgresUrl } from './pg-test-db.js';

/** The PostgreSQL migrations this build ships (drizzle/pg): every one is applied to an empty database. */
const KNOWN = (
  JSON.parse(readFileSync(new URL('../../drizzle/pg/meta/_journal.json', import.meta.url), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

const OPTS = { poolSize: 2, connectTimeoutMs: 2_000, queryTimeoutMs: 30_000 };

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('opening PostgreSQL', () => {
  it('migrates an empty database once when three replicas start together', async () => {
    const db = await createTestDatabase({ empty: true });
    try {
      const opened = await Promise.all([1, 2, 3].map(() => openPostgres(db.url, OPTS)));
      const r = await opened[0]!.pool.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
      expect(r.rows[0].n).toBe(KNOWN);
      await Promise.all(opened.map((o) => o.close()));
    } finally {
      await db.drop();
    }
  });

  it('refuses a database migrated by a newer Switchyard, naming database.url', async () => {
    const db = await createTestDatabase();
    try {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query(`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('future', 9e15)`);
      await c.end();
      const err = await openPostgres(db.url, OPTS).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseError);
      expect((err as Error).message).toMatch(
        new RegExp(`^database\\.url: .* schema version ${KNOWN + 1} .* knows only ${KNOWN}: .*newer`),
      );
    } finally {
      await db.drop();
    }
  });

  it('fails with one line naming database.url, without the password, when nothing listens', async () => {
    const url = `postgres://sy:hunter2@127.0.0.1:${await closedPort()}/x`;
    const err = await openPostgres(url, OPTS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    const msg = (err as Error).message;
    expect(msg).toMatch(
      /^database\.url: cannot connect to postgres:\/\/sy:\*\*\*@127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/,
    );
    expect(msg).not.toContain('hunter2');
    expect(msg).not.toContain('\n');
  });

  it('names a database that does not exist', async () => {
    const u = new URL(testPostgresUrl());
    u.pathname = '/no_such_db';
    const err = await openPostgres(u.toString(), OPTS).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^database\.url: cannot connect to .*no_such_db.*does not exist/);
  });

  it.each([['mysql://x/y'], ['postgres://'], ['postgres://a b']])('config refuses database.url %s', (url) => {
    const r = databaseSchema.safeParse({ url });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['url']);
  });
});
