import { eq, lt } from 'drizzle-orm';
import type { PgDb } from '../../db/open-pg.js';
import { queryAffinity, transactionAffinity } from '../../db/schema.pg.js';
import type { AffinityStore } from '../ports.js';

/** Query and transaction ownership in PostgreSQL: the index every replica shares. */
export class PgAffinityStore implements AffinityStore {
  constructor(private readonly db: PgDb) {}

  async putQuery(queryId: string, backend: string, now = Date.now()): Promise<void> {
    await this.db.insert(queryAffinity).values({ queryId, backend, createdAt: now }).onConflictDoNothing();
  }

  async getQuery(queryId: string): Promise<string | undefined> {
    const rows = await this.db
      .select({ backend: queryAffinity.backend })
      .from(queryAffinity)
      .where(eq(queryAffinity.queryId, queryId));
    return rows[0]?.backend;
  }

  async putTransaction(transactionId: string, backend: string, now = Date.now()): Promise<void> {
    await this.db
      .insert(transactionAffinity)
      .values({ transactionId, backend, createdAt: now })
      .onConflictDoNothing();
  }

  async getTransaction(transactionId: string): Promise<string | undefined> {
    const rows = await this.db
      .select({ backend: transactionAffinity.backend })
      .from(transactionAffinity)
      .where(eq(transactionAffinity.transactionId, transactionId));
    return rows[0]?.backend;
  }

  async deleteTransaction(transactionId: string): Promise<void> {
    await this.db.delete(transactionAffinity).where(eq(transactionAffinity.transactionId, transactionId));
  }

  async purgeBefore(cutoff: number): Promise<number> {
    const q = await this.db.delete(queryAffinity).where(lt(queryAffinity.createdAt, cutoff));
    const t = await this.db.delete(transactionAffinity).where(lt(transactionAffinity.createdAt, cutoff));
    return (q.rowCount ?? 0) + (t.rowCount ?? 0);
  }
}
