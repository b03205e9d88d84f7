import { and, desc, eq, getTableColumns, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { queryHistory } from '../db/schema.js';

export type HistoryRow = typeof queryHistory.$inferSelect;
export type NewHistoryRow = typeof queryHistory.$inferInsert;

export interface HistoryCompletion {
  queryId: string;
  state: string;
  finishedAt: number;
  errorName?: string | null;
  errorType?: string | null;
  errorMessage?: string | null;
  elapsedMs?: number | null;
  rows?: number | null;
  bytes?: number | null;
}

export interface HistoryFilter {
  user?: string;
  group?: string;
  backend?: string;
  state?: string;
  from?: number;
  to?: number;
  text?: string;
  /** Cursor: rows strictly older than (submittedAt, queryId). */
  before?: { submittedAt: number; queryId: string };
  limit: number;
}

/** Every column of a history row, for the prepared insert (an absent optional value binds as null). */
const COLUMNS = Object.keys(getTableColumns(queryHistory)) as Array<keyof NewHistoryRow>;

/**
 * All SQL of the query history lives here; writes come in batches inside one transaction. The insert and
 * the completion updates are prepared once (a completion's statement per set of fields it carries; the
 * tracker's always carry the same), so a batch costs a bind and a step per row, not a query build.
 */
export class HistoryRepo {
  private readonly insert;
  private readonly updates = new Map<string, { run(v: Record<string, unknown>): unknown }>();

  constructor(private readonly db: Db) {
    const values = Object.fromEntries(COLUMNS.map((c) => [c, sql.placeholder(c)]));
    this.insert = db
      .insert(queryHistory)
      .values(values as unknown as NewHistoryRow)
      .onConflictDoNothing()
      .prepare();
  }

  /**
   * writeBatch inserts new rows and applies completions atomically: all or nothing. The transaction takes
   * the write lock at its start (IMMEDIATE), so a lock held by another connection fails it at once (after
   * the connection's short busy timeout) rather than midway; the recorder keeps the batch and retries it.
   */
  writeBatch(inserts: NewHistoryRow[], completions: HistoryCompletion[]): void {
    this.db.transaction(
      () => {
        for (const row of inserts) this.insertRow(row);
        for (const c of completions) this.complete(c);
      },
      { behavior: 'immediate' },
    );
  }

  /** insertMany writes submissions at once, in one transaction (a row already there is kept). */
  insertMany(rows: NewHistoryRow[]): void {
    if (rows.length === 1) this.insertRow(rows[0]!);
    else if (rows.length > 1) this.writeBatch(rows, []);
  }

  /** insertNow writes one submission at once (autocommit; a row already there is kept). */
  insertNow(row: NewHistoryRow): void {
    this.insertRow(row);
  }

  private insertRow(row: NewHistoryRow): void {
    const v: Record<string, unknown> = {};
    for (const c of COLUMNS) v[c] = row[c] ?? null;
    this.insert.run(v);
  }

  /** complete sets the fields a completion carries (an undefined field keeps its value). */
  private complete(c: HistoryCompletion): void {
    const fields = (Object.keys(c) as Array<keyof HistoryCompletion>).filter(
      (k) => k !== 'queryId' && c[k] !== undefined,
    );
    const key = fields.join(',');
    let stmt = this.updates.get(key);
    if (!stmt) {
      const set = Object.fromEntries(fields.map((f) => [f, sql.placeholder(f)]));
      stmt = this.db
        .update(queryHistory)
        .set(set)
        .where(eq(queryHistory.queryId, sql.placeholder('queryId')))
        .prepare();
      if (this.updates.size < 64) this.updates.set(key, stmt);
    }
    const v: Record<string, unknown> = { queryId: c.queryId };
    for (const f of fields) v[f] = c[f];
    stmt.run(v);
  }

  /** running: rows still RUNNING that were submitted before `before`, newest first (ids, user, backend). */
  running(before: number): Array<Pick<HistoryRow, 'queryId' | 'user' | 'backend'>> {
    return this.db
      .select({ queryId: queryHistory.queryId, user: queryHistory.user, backend: queryHistory.backend })
      .from(queryHistory)
      .where(and(eq(queryHistory.state, 'RUNNING'), lt(queryHistory.submittedAt, before)))
      .orderBy(desc(queryHistory.submittedAt))
      .all();
  }

  /**
   * legacySql pages through rows written before SQL was bounded and redacted in every form (sql_bytes is
   * null): those naming a catalog or longer than maxBytes. Keyed by query id, ascending, after `after`.
   */
  legacySql(after: string, maxBytes: number, limit: number): Array<{ queryId: string; sql: string }> {
    return this.db
      .select({ queryId: queryHistory.queryId, sql: queryHistory.sql })
      .from(queryHistory)
      .where(
        and(
          sql`${queryHistory.sqlBytes} IS NULL`,
          sql`${queryHistory.queryId} > ${after}`,
          or(
            sql`${queryHistory.sql} LIKE '%catalog%'`,
            sql`length(CAST(${queryHistory.sql} AS BLOB)) > ${maxBytes}`,
          ),
        ),
      )
      .orderBy(queryHistory.queryId)
      .limit(limit)
      .all();
  }

  /** rewriteSql replaces a row's stored SQL (bounded and redacted) with its length and hash. */
  rewriteSql(queryId: string, s: { sql: string; sqlBytes: number; sqlSha256: string | null }): void {
    this.db.update(queryHistory).set(s).where(eq(queryHistory.queryId, queryId)).run();
  }

  get(queryId: string): HistoryRow | undefined {
    return this.db.select().from(queryHistory).where(eq(queryHistory.queryId, queryId)).get();
  }

  list(f: HistoryFilter): HistoryRow[] {
    const conds: SQL[] = [];
    if (f.user) conds.push(eq(queryHistory.user, f.user));
    if (f.group) conds.push(eq(queryHistory.routingGroup, f.group));
    if (f.backend) conds.push(eq(queryHistory.backend, f.backend));
    if (f.state) conds.push(eq(queryHistory.state, f.state));
    if (f.from !== undefined) conds.push(gte(queryHistory.submittedAt, f.from));
    if (f.to !== undefined) conds.push(lte(queryHistory.submittedAt, f.to));
    if (f.text) {
      const pattern = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conds.push(sql`${queryHistory.sql} LIKE ${pattern} ESCAPE '\\'`);
    }
    if (f.before) {
      const b = f.before;
      const older = or(
        lt(queryHistory.submittedAt, b.submittedAt),
        and(eq(queryHistory.submittedAt, b.submittedAt), lt(queryHistory.queryId, b.queryId)),
      );
      if (older) conds.push(older);
    }
    return this.db
      .select()
      .from(queryHistory)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(queryHistory.submittedAt), desc(queryHistory.queryId))
      .limit(f.limit)
      .all();
  }

  /** countsPerMinute returns [minute start ms, count] for queries submitted since `since`. */
  countsPerMinute(since: number): Array<{ minute: number; count: number }> {
    return this.db
      .select({
        minute: sql<number>`(${queryHistory.submittedAt} / 60000) * 60000`,
        count: sql<number>`count(*)`,
      })
      .from(queryHistory)
      .where(gte(queryHistory.submittedAt, since))
      .groupBy(sql`1`)
      .orderBy(sql`1`)
      .all();
  }

  /** purgeBefore deletes rows submitted before `cutoff`; returns how many went. */
  purgeBefore(cutoff: number): number {
    return this.db.delete(queryHistory).where(lt(queryHistory.submittedAt, cutoff)).run().changes;
  }
}
