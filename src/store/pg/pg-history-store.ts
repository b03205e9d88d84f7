import { and, desc, eq, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { PgDb } from '../../db/open-pg.js';
import { queryHistory as h } from '../../db/schema.pg.js';
import type {
  HistoryCompletion,
  HistoryFilter,
  HistoryRow,
  NewHistoryRow,
} from '../../history/history-repo.js';
import type { HistoryStore } from '../ports.js';

/** Rows per INSERT statement (PostgreSQL takes at most 65535 parameters; a row has 21 columns). */
const INSERT_CHUNK = 500;

/**
 * The query history in PostgreSQL. Text search is ILIKE, matching SQLite's case-insensitive LIKE; byte
 * lengths are octet_length, SQLite's length(CAST(… AS BLOB)).
 */
export class PgHistoryStore implements HistoryStore {
  constructor(private readonly db: PgDb) {}

  async writeBatch(inserts: NewHistoryRow[], completions: HistoryCompletion[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < inserts.length; i += INSERT_CHUNK)
        await tx
          .insert(h)
          .values(inserts.slice(i, i + INSERT_CHUNK))
          .onConflictDoNothing();
      for (const c of completions) {
        const { queryId, ...set } = c;
        await tx.update(h).set(set).where(eq(h.queryId, queryId));
      }
    });
  }

  async insertMany(rows: NewHistoryRow[]): Promise<void> {
    if (rows.length <= INSERT_CHUNK) {
      if (rows.length > 0) await this.db.insert(h).values(rows).onConflictDoNothing();
    } else await this.writeBatch(rows, []);
  }

  async running(before: number): Promise<Array<Pick<HistoryRow, 'queryId' | 'user' | 'backend'>>> {
    return this.db
      .select({ queryId: h.queryId, user: h.user, backend: h.backend })
      .from(h)
      .where(and(eq(h.state, 'RUNNING'), lt(h.submittedAt, before)))
      .orderBy(desc(h.submittedAt));
  }

  async legacySql(after: string, maxBytes: number, limit: number) {
    return this.db
      .select({ queryId: h.queryId, sql: h.sql })
      .from(h)
      .where(
        and(
          sql`${h.sqlBytes} IS NULL`,
          sql`${h.queryId} > ${after}`,
          or(sql`${h.sql} ILIKE '%catalog%'`, sql`octet_length(${h.sql}) > ${maxBytes}`),
        ),
      )
      .orderBy(h.queryId)
      .limit(limit);
  }

  async rewriteSql(queryId: string, s: { sql: string; sqlBytes: number; sqlSha256: string | null }) {
    await this.db.update(h).set(s).where(eq(h.queryId, queryId));
  }

  async get(queryId: string): Promise<HistoryRow | undefined> {
    return (await this.db.select().from(h).where(eq(h.queryId, queryId)))[0];
  }

  async list(f: HistoryFilter): Promise<HistoryRow[]> {
    const conds: SQL[] = [];
    if (f.user) conds.push(eq(h.user, f.user));
    if (f.group) conds.push(eq(h.routingGroup, f.group));
    if (f.backend) conds.push(eq(h.backend, f.backend));
    if (f.state) conds.push(eq(h.state, f.state));
    if (f.from !== undefined) conds.push(gte(h.submittedAt, f.from));
    if (f.to !== undefined) conds.push(lte(h.submittedAt, f.to));
    if (f.text) {
      const pattern = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conds.push(sql`${h.sql} ILIKE ${pattern} ESCAPE '\\'`);
    }
    if (f.before) {
      const b = f.before;
      const older = or(
        lt(h.submittedAt, b.submittedAt),
        and(eq(h.submittedAt, b.submittedAt), lt(h.queryId, b.queryId)),
      );
      if (older) conds.push(older);
    }
    return this.db
      .select()
      .from(h)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(h.submittedAt), desc(h.queryId))
      .limit(f.limit);
  }

  async countsPerMinute(since: number): Promise<Array<{ minute: number; count: number }>> {
    return this.db
      .select({
        minute: sql<number>`(${h.submittedAt} / 60000) * 60000`.mapWith(Number),
        count: sql<number>`count(*)`.mapWith(Number),
      })
      .from(h)
      .where(gte(h.submittedAt, since))
      .groupBy(sql`1`)
      .orderBy(sql`1`);
  }

  async purgeBefore(cutoff: number): Promise<number> {
    return (await this.db.delete(h).where(lt(h.submittedAt, cutoff))).rowCount ?? 0;
  }
}
