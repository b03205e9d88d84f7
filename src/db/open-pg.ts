import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DatabaseError, MIGRATIONS_DIR } from './open.js';
import * as schema from './schema.pg.js';

export type PgDb = NodePgDatabase<typeof schema>;

export const PG_MIGRATIONS_DIR = join(MIGRATIONS_DIR, 'pg');

/**
 * The advisory lock key every Switchyard replica takes around its migrations ("switchyard" as int8), so
 * replicas starting together apply them once: drizzle's pg migrator takes no lock, and two concurrent
 * runs of it fail (measured: 2 of 3 replicas started at once).
 */
export const MIGRATION_LOCK_KEY = 0x5377_6974_6368_7964n;

export interface PgOptions {
  /** Connections in the pool. */
  poolSize: number;
  /** Time to open one connection before giving up, in ms (pg's own default is no limit). */
  connectTimeoutMs: number;
  /** Time one query may take before the client gives up on it, in ms. */
  queryTimeoutMs: number;
  /** Told about errors of idle pooled connections (a restarted server); without a listener they crash. */
  onIdleError?: (e: Error) => void;
}

export interface OpenedPg {
  db: PgDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** redactUrl drops the password from a connection URL, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function knownMigrations(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/**
 * migrateLocked applies the migrations on one dedicated connection holding MIGRATION_LOCK_KEY (a session
 * lock, released by the unlock or by the connection's end). A database migrated further than this
 * Switchyard knows fails before anything is applied.
 */
async function migrateLocked(client: pg.Client, folder: string, where: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
  try {
    const journal = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'drizzle' AND tablename = '__drizzle_migrations'`,
    );
    if (journal.rows[0]!.n > 0) {
      const applied = (
        await client.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')
      ).rows[0]!.n;
      const known = knownMigrations(folder);
      if (applied > known)
        throw new DatabaseError(
          `database.url: ${where} has schema version ${applied} but this Switchyard knows only ${known}: it was migrated by a newer release; upgrade Switchyard or point database.url at another database`,
        );
    }
    await migrate(drizzle(client), { migrationsFolder: folder });
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()])
      .catch(() => undefined);
  }
}

/**
 * openPostgres connects to `database.url`, applies the PostgreSQL migrations under the advisory lock and
 * returns a pool. An unreachable server, refused credentials, a missing database or a newer schema fail
 * with one DatabaseError line naming database.url (password redacted) and the server's reason.
 */
export async function openPostgres(
  url: string,
  o: PgOptions,
  migrationsFolder = PG_MIGRATIONS_DIR,
): Promise<OpenedPg> {
  const where = redactUrl(url);
  const conn = {
    connectionString: url,
    connectionTimeoutMillis: o.connectTimeoutMs,
    query_timeout: o.queryTimeoutMs,
  };
  const client = new pg.Client(conn);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw new DatabaseError(`database.url: cannot connect to ${where}: ${describe(e)}`);
  }
  try {
    await migrateLocked(client, migrationsFolder, where);
  } catch (e) {
    if (e instanceof DatabaseError) throw e;
    throw new DatabaseError(`database.url: cannot migrate ${where}: ${describe(e)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const pool = new pg.Pool({ ...conn, max: o.poolSize });
  pool.on('error', (e) => o.onIdleError?.(e));
  // A client checked out (a transaction) when the server goes away emits the error on itself, where
  // nothing listens: its statement fails on its own, so the event needs no more than a listener.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { db: drizzle(pool, { schema }), pool, close: () => endPool(pool) };
}

/** How long closing waits for connections still in use (a shutdown is bounded, as everything is). */
const CLOSE_MS = 5_000;

/** endPool closes the pool's connections; one still in use after CLOSE_MS is left to the process's exit. */
async function endPool(pool: pg.Pool): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_MS).unref()));
  await Promise.race([pool.end().catch(() => undefined), late]);
  clearTimeout(timer);
}

function describe(e: unknown): string {
  const err = e as Error & { code?: string; cause?: unknown };
  const text = err.message || err.code || String(e);
  return err.code && !text.includes(err.code) ? `${text} (${err.code})` : text;
}
