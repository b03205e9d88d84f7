import { describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_PATTERNS, secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { openDatabase } from '../../src/db/open.js';
import { HistoryRepo } from '../../src/history/history-repo.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { boundLegacyRows } from '../../src/history/legacy-sql.js';
import { storedSql } from '../../src/history/stored-sql.js';
import { silentLogger } from '../../src/observability/logger.js';

const row = (queryId: string, sql: string, sqlBytes: number | null = null) => ({
  queryId,
  user: 'alice',
  routingGroup: 'adhoc',
  backend: 'trino-1',
  sql,
  sqlBytes,
  submittedAt: 1000,
  state: 'FINISHED',
});

describe('rows written by an older Switchyard', () => {
  it('are bounded and redacted once at start; rows in today’s form are left alone', async () => {
    const opened = openDatabase(':memory:');
    const repo = new HistoryRepo(opened.db);
    const store = sqliteStore(opened).history;
    const isSecret = secretKeyMatcher(DEFAULT_SECRET_PATTERNS);
    const long = `SELECT '${'z'.repeat(300_000)}'`;
    const today = `EXPLAIN CREATE CATALOG c USING memory WITH ("password" = 'kept-as-is')`;
    repo.writeBatch(
      [
        row('a', `EXPLAIN CREATE CATALOG c USING memory WITH ("password" = 'old-secret')`),
        row('b', long),
        row('c', 'SELECT 1'),
        row('d', today, 10),
      ],
      [],
    );
    const n = await boundLegacyRows(store, 65_536, (s) => storedSql(s, 65_536, isSecret), silentLogger());
    expect(n).toBe(2);
    expect(repo.get('a')!.sql).not.toContain('old-secret');
    expect(Buffer.byteLength(repo.get('b')!.sql)).toBe(65_536);
    expect(repo.get('b')!.sqlBytes).toBe(Buffer.byteLength(long));
    expect(repo.get('c')!.sqlBytes).toBeNull(); // nothing to do for it
    expect(repo.get('d')!.sql).toBe(today);
    expect(await boundLegacyRows(store, 65_536, (s) => storedSql(s, 65_536, isSecret), silentLogger())).toBe(
      0,
    );
  });
});
