/**
 * Cost of what a submission does on the event loop in proportion to its text, and of durable history:
 * `npx tsx bench/bounded-input.ts`. Prints milliseconds per statement for a 4 MB statement that names a
 * catalog (the worst case for redaction), before (the whole text) and after (the bounded prefix), for
 * routing analysis with and without its bound, and microseconds per history row written at once
 * (durable submissions) against batched. Timings are printed, never asserted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SECRET_PATTERNS, secretKeyMatcher } from '../src/catalogs/secrets.js';
import { redactSqlSecrets } from '../src/catalogs/sql-redaction.js';
import { openDatabase } from '../src/db/open.js';
import { HistoryRepo } from '../src/history/history-repo.js';
import { storedSql } from '../src/history/stored-sql.js';
import { lexSql } from '../src/routing/sql-lexer.js';
import { SqlWalk } from '../src/routing/sql-walk.js';
import { sqlFacts } from '../src/routing/sql-facts.js';

const isSecret = secretKeyMatcher(DEFAULT_SECRET_PATTERNS);
const MB4 = 4 * 1024 * 1024 - 1;
const values = Array.from({ length: 400_000 }, (_, i) => `'v${i}'`).join(',');
const big = `SELECT * FROM hive.web.catalog_sales WHERE a IN (${values})`.slice(0, MB4);
const catalogStmt = `CREATE CATALOG c USING memory WITH ("password" = 'x', "u" = '${'y'.repeat(MB4 - 80)}')`;

function time(label: string, fn: () => unknown, runs = 5): void {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  console.log(`${label.padEnd(62)} median ${t[runs >> 1].toFixed(1)} ms  max ${t[runs - 1].toFixed(1)} ms`);
}

console.log(`statement: ${(Buffer.byteLength(big) / 1048576).toFixed(2)} MB, names "catalog"`);
time('redaction of the whole text (no bound)', () => redactSqlSecrets(big, isSecret));
time('storedSql: 64 KiB prefix redacted + length + SHA-256 (after)', () => storedSql(big, 65_536, isSecret));
time('redaction of a 4 MB CREATE CATALOG, whole (no bound)', () => redactSqlSecrets(catalogStmt, isSecret));
time('storedSql of a 4 MB CREATE CATALOG (after)', () => storedSql(catalogStmt, 65_536, isSecret));
time('routing analysis of the whole text (no bound)', () => new SqlWalk(lexSql(big), {}, undefined).run());
time('routing analysis, bounded to 256 Ki characters (after)', () => sqlFacts(big));
const stored = storedSql(big, 65_536, isSecret);
console.log(
  `bytes stored per query: ${Buffer.byteLength(stored.sql)} of ${stored.sqlBytes} (+ 64-char hash when no catalog is named)`,
);

// History rows: one autocommit insert per submission (durable) against one transaction per 500.
const dir = mkdtempSync(join(tmpdir(), 'sy-bench-'));
const N = 5000;
for (const mode of ['batched', 'durable'] as const) {
  const db = openDatabase(join(dir, `${mode}.db`));
  const repo = new HistoryRepo(db.db);
  const row = (i: number) => ({
    queryId: `${mode}_${i}`,
    user: 'alice',
    routingGroup: 'adhoc',
    backend: 'trino-1',
    sql: 'SELECT * FROM tpch.tiny.orders WHERE orderkey = 1',
    submittedAt: Date.now(),
    state: 'RUNNING',
  });
  const s = performance.now();
  if (mode === 'durable') for (let i = 0; i < N; i++) repo.insertNow(row(i));
  else
    for (let i = 0; i < N; i += 500)
      repo.writeBatch(
        Array.from({ length: 500 }, (_, k) => row(i + k)),
        [],
      );
  const us = ((performance.now() - s) * 1000) / N;
  console.log(
    `history insert, ${mode.padEnd(8)} ${us.toFixed(1)} µs per row (${N} rows, WAL, synchronous=NORMAL)`,
  );
  db.close();
}
