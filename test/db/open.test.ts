import { chmodSync, cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, DatabaseError, MIGRATIONS_DIR, openDatabase } from '../../src/db/open.js';

const dir = () => mkdtempSync(join(tmpdir(), 'sy-db-'));
const journal = () =>
  (JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] })
    .entries.length;

describe('openDatabase', () => {
  it('creates a missing directory 0700 and file 0600, with no warning', () => {
    const d = join(dir(), 'a', 'b');
    const o = openDatabase(join(d, 'g.db'));
    try {
      expect(statSync(d).mode & 0o777).toBe(0o700);
      expect(statSync(join(d, 'g.db')).mode & 0o777).toBe(0o600);
      expect(o.warnings).toEqual([]);
    } finally {
      o.close();
    }
  });

  it('warns about a file other users can read, and leaves its mode alone', () => {
    const file = join(dir(), 'g.db');
    openDatabase(file).close();
    chmodSync(file, 0o644);
    const o = openDatabase(file);
    o.close();
    expect(o.warnings).toEqual([
      expect.stringMatching(/^database file .*g\.db has mode 644: other users can read it/),
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('sets WAL, foreign keys, normal sync and the short busy timeout, and applies every migration', () => {
    const o = openDatabase(join(dir(), 'g.db'));
    try {
      expect(o.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(o.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(o.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(o.sqlite.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
      const n = o.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
      expect(n.n).toBe(journal());
      const tables = (
        o.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>
      ).map((t) => t.name);
      expect(tables).toEqual(
        expect.arrayContaining(['backends', 'routing_groups', 'users', 'settings', 'query_history']),
      );
    } finally {
      o.close();
    }
  });

  it('opens a file it migrated before without migrating again', () => {
    const file = join(dir(), 'g.db');
    const a = openDatabase(file);
    a.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
    a.close();
    const b = openDatabase(file);
    expect(b.sqlite.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: 'v' });
    b.close();
  });

  it('refuses a file that is no SQLite database, naming it and the remedy', () => {
    const file = join(dir(), 'g.db');
    writeFileSync(
      file,
      'this is not a database, just text that is long enough to fill a header '.repeat(20),
      {
        mode: 0o600,
      },
    );
    expect(() => openDatabase(file)).toThrow(DatabaseError);
    expect(() => openDatabase(file)).toThrow(
      new RegExp(
        `^cannot open database ${file}: .+ \\(is it a Switchyard SQLite file\\? restore a backup or move it away\\)$`,
      ),
    );
  });

  it('refuses a database written by a newer release, naming both schema versions', () => {
    const file = join(dir(), 'g.db');
    const o = openDatabase(file);
    o.sqlite.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', 1)").run();
    o.close();
    const known = journal();
    expect(() => openDatabase(file)).toThrow(
      `database ${file} has schema version ${known + 1} but this Switchyard knows only ${known}: it was written by a newer release; upgrade Switchyard or restore a backup`,
    );
  });

  it('refuses a migration that cannot be applied, naming the database', () => {
    const migrations = join(dir(), 'drizzle');
    cpSync(MIGRATIONS_DIR, migrations, { recursive: true, filter: (p) => !p.includes('/pg') });
    const j = JSON.parse(readFileSync(join(migrations, 'meta', '_journal.json'), 'utf8'));
    j.entries.push({
      idx: j.entries.length,
      version: '6',
      when: Date.now(),
      tag: '9999_broken',
      breakpoints: true,
    });
    writeFileSync(join(migrations, 'meta', '_journal.json'), JSON.stringify(j));
    writeFileSync(join(migrations, '9999_broken.sql'), 'CREATE TABLE backends (x int);');
    expect(() => openDatabase(join(dir(), 'g.db'), migrations)).toThrow(/^cannot migrate database .*g\.db: /);
  });

  it('opens an in-memory database without touching the file system', () => {
    const o = openDatabase(':memory:');
    expect(o.warnings).toEqual([]);
    o.close();
    expect(o.sqlite.open).toBe(false);
  });
});
