import { eq, lt } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
const sqlPlaceholder = (name: string) => sql.placeholder(name);
import type { Db } from '../db/open.js';
import { queryAffinity, transactionAffinity } from '../db/schema.js';

/** Persistence of query and transaction ownership (which backend holds it). */
export class AffinityRepo {
  private readonly insertQuery;
  private readonly insertTxn;

  constructor(private readonly db: Db) {
    this.insertQuery = db
      .insert(queryAffinity)
      .values({
        queryId: sqlPlaceholder('queryId'),
        backend: sqlPlaceholder('backend'),
        createdAt: sqlPlaceholder('createdAt'),
      })
      .onConflictDoNothing()
      .prepare();
    this.insertTxn = db
      .insert(transactionAffinity)
      .values({
        transactionId: sqlPlaceholder('transactionId'),
        backend: sqlPlaceholder('backend'),
        createdAt: sqlPlaceholder('createdAt'),
      })
      .onConflictDoNothing()
      .prepare();
  }

  putQuery(queryId: string, backend: string, now = Date.now()): void {
    this.insertQuery.run({ queryId, backend, createdAt: now });
  }

  getQuery(queryId: string): string | undefined {
    return this.db.select().from(queryAffinity).where(eq(queryAffinity.queryId, queryId)).get()?.backend;
  }

  putTransaction(transactionId: string, backend: string, now = Date.now()): void {
    this.insertTxn.run({ transactionId, backend, createdAt: now });
  }

  getTransaction(transactionId: string): string | undefined {
    return this.db
      .select()
      .from(transactionAffinity)
      .where(eq(transactionAffinity.transactionId, transactionId))
      .get()?.backend;
  }

  deleteTransaction(transactionId: string): void {
    this.db.delete(transactionAffinity).where(eq(transactionAffinity.transactionId, transactionId)).run();
  }

  purgeBefore(cutoff: number): number {
    return (
      this.db.delete(queryAffinity).where(lt(queryAffinity.createdAt, cutoff)).run().changes +
      this.db.delete(transactionAffinity).where(lt(transactionAffinity.createdAt, cutoff)).run().changes
    );
  }
}
