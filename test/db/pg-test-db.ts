import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_ERROR_ENV, PG_TEMPLATE, PG_URL_ENV } from '../global-setup.js';

export interface TestDatabase {
  /** Connection URL of a database of its own, copied from the run's template. */
  url: string;
  /** drop removes the database (closing whatever connections are still open on it). */
  drop(): Promise<void>;
}

/** The run's PostgreSQL URL; throws (the test fails, never skips) when the global setup could not start one. */
export function testPostgresUrl(): string {
  const url = process.env[PG_URL_ENV];
  if (!url) throw new Error(process.env[PG_ERROR_ENV] ?? `no PostgreSQL for tests (${PG_URL_ENV} unset)`);
  return url;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: testPostgresUrl(), connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * createTestDatabase makes a fresh database for one test file (or one test) with CREATE DATABASE …
 * TEMPLATE, which copies the template's files (tens of ms) instead of running anything: migrated with
 * Switchyard's PostgreSQL schema, or `empty` (template0) for tests of migration itself.
 */
export async function createTestDatabase(o: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `sy_test_${randomBytes(6).toString('hex')}`;
  const template = o.empty ? 'template0' : PG_TEMPLATE;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const u = new URL(testPostgresUrl());
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
