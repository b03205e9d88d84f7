import { and, eq, gt, inArray, lt, lte, sql } from 'drizzle-orm';
import type { PgDb } from '../../db/open-pg.js';
import { loginFailures as lf } from '../../db/schema.pg.js';
import type { FailureKey, LoginFailureStore } from '../ports.js';

/**
 * Failed-login counters in PostgreSQL, shared by the replicas: each failure is one upsert per key, so
 * concurrent failures on several replicas all count (no read-then-write).
 */
export class PgLoginFailureStore implements LoginFailureStore {
  constructor(private readonly db: PgDb) {}

  async fail(
    keys: readonly FailureKey[],
    windowMs: number,
    blockMs: number,
    now = Date.now(),
  ): Promise<void> {
    for (const k of keys) {
      const fresh = sql`(${lf.firstAt} < ${now - windowMs} AND ${lf.blockedUntil} <= ${now})`;
      const count = sql`CASE WHEN ${fresh} THEN 1 ELSE ${lf.count} + 1 END`;
      await this.db
        .insert(lf)
        .values({ key: k.key, count: 1, firstAt: now, blockedUntil: k.max <= 1 ? now + blockMs : 0 })
        .onConflictDoUpdate({
          target: lf.key,
          set: {
            count,
            firstAt: sql`CASE WHEN ${fresh} THEN ${now}::bigint ELSE ${lf.firstAt} END`,
            blockedUntil: sql`CASE WHEN (${count}) >= ${k.max} THEN ${now + blockMs}::bigint ELSE ${lf.blockedUntil} END`,
          },
        });
    }
  }

  async blockedUntil(keys: readonly string[], now = Date.now()): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(lf)
      .where(and(inArray(lf.key, [...keys]), gt(lf.blockedUntil, now)));
    return new Map(rows.map((r) => [r.key, r.blockedUntil]));
  }

  async clear(key: string): Promise<void> {
    await this.db.delete(lf).where(eq(lf.key, key));
  }

  async purgeBefore(cutoff: number): Promise<number> {
    const r = await this.db.delete(lf).where(and(lt(lf.firstAt, cutoff), lte(lf.blockedUntil, cutoff)));
    return r.rowCount ?? 0;
  }
}
