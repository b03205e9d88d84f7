import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface OpenedDb {
  db: Db;
  sqlite: Database.Database;
  /** Problems worth a warning at start (a database file other users can read). */
  warnings: string[];
  close(): void;
}

/** The database cannot be used; the message says why in words an operator can act on. */
export class DatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseError';
  }
}

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'drizzle');

function knownMigrationCount(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/**
 * How long a statement waits for another connection's write lock. Short on purpose: better-sqlite3 is
 * synchronous, so any wait stalls every request of the gateway. Callers treat SQLITE_BUSY as a failed write
 * they retry later (history, affinity) or as a 503 (admin changes).
 */
export const BUSY_TIMEOUT_MS = 20;

/**
 * preparePrivateFile makes what the gateway creates private: a missing directory is created 0700 and a
 * missing database file 0600 (SQLite gives its -wal and -shm files the database file's mode). An existing
 * file keeps the mode its operator chose; one that other users can read is returned as a warning, since it
 * holds the console session and affinity secrets and query history.
 */
function preparePrivateFile(path: string): string[] {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
    return [];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return [];
  }
  const mode = statSync(path).mode & 0o777;
  return mode & 0o077
    ? [
        `database file ${path} has mode ${mode.toString(8)}: other users can read it (it holds session secrets and query history); chmod 600 it and chmod 700 its directory`,
      ]
    : [];
}

/**
 * openDatabase opens (creating when missing) the SQLite file, sets WAL, foreign keys and a short busy
 * timeout, checks the file's integrity (`PRAGMA quick_check`, a sequential read of every page) and applies
 * the drizzle migrations. A corrupted file or one migrated by a newer Switchyard fails with a DatabaseError
 * naming the file and the remedy.
 */
export function openDatabase(path: string, migrationsFolder = MIGRATIONS_DIR): OpenedDb {
  const warnings = path === ':memory:' ? [] : preparePrivateFile(path);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
    const check = sqlite.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      const detail = String(check)
        .replace(/\s*\n\s*/g, '; ')
        .slice(0, 200);
      throw new Error(`the file is corrupted (integrity check: ${detail})`);
    }
  } catch (e) {
    throw new DatabaseError(
      `cannot open database ${path}: ${(e as Error).message} (is it a Switchyard SQLite file? restore a backup or move it away)`,
    );
  }
  const hasJournal = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'")
    .get();
  if (hasJournal) {
    const applied = (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number })
      .n;
    const known = knownMigrationCount(migrationsFolder);
    if (applied > known) {
      sqlite.close();
      throw new DatabaseError(
        `database ${path} has schema version ${applied} but this Switchyard knows only ${known}: it was written by a newer release; upgrade Switchyard or restore a backup`,
      );
    }
  }
  const db = drizzle(sqlite, { schema });
  try {
    migrate(db, { migrationsFolder });
  } catch (e) {
    sqlite.close();
    throw new DatabaseError(`cannot migrate database ${path}: ${(e as Error).message}`);
  }
  return { db, sqlite, warnings, close: () => sqlite.close() };
}
