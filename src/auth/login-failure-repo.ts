import { and, inArray, lt, lte, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { loginFailures as lf } from '../db/schema.js';
import type { FailureKey } from '../store/ports.js';

/**
 * Failed-login counters in SQLite (one statement per key; see the LoginFailureStore port). A single process
 * needs them only through the port's contract: its own FailureLimiter already counts everything it sees.
 */
export class LoginFailureRepo {
  constructor(private readonly db: Db) {}

  fail(keys: readonly FailureKey[], windowMs: number, blockMs: number, now = Date.now()): void {
    this.db.transaction((tx) => {
      for (const k of keys)
        tx.insert(lf)
          .values({ key: k.key, count: 1, firstAt: now, blockedUntil: k.max <= 1 ? now + blockMs : 0 })
          .onConflictDoUpdate({ target: lf.key, set: failedAgain(k.max, windowMs, blockMs, now) })
          .run();
    });
  }

  blockedUntil(keys: readonly string[], now = Date.now()): Map<string, number> {
    if (keys.length === 0) return new Map();
    const rows = this.db
      .select()
      .from(lf)
      .where(and(inArray(lf.key, [...keys]), gt(lf.blockedUntil, now)))
      .all();
    return new Map(rows.map((r) => [r.key, r.blockedUntil]));
  }

  clear(key: string): void {
    this.db.delete(lf).where(eq(lf.key, key)).run();
  }

  purgeBefore(cutoff: number): number {
    return this.db
      .delete(lf)
      .where(and(lt(lf.firstAt, cutoff), lte(lf.blockedUntil, cutoff)))
      .run().changes;
  }
}

/**
 * failedAgain is the update of a counter that failed once more (both dialects): a window that has passed
 * on a counter that blocks nothing starts over at 1; reaching max blocks until now + blockMs.
 */
export function failedAgain(max: number, windowMs: number, blockMs: number, now: number) {
  const fresh = sql`(${lf.firstAt} < ${now - windowMs} AND ${lf.blockedUntil} <= ${now})`;
  const count = sql`CASE WHEN ${fresh} THEN 1 ELSE ${lf.count} + 1 END`;
  return {
    count,
    firstAt: sql`CASE WHEN ${fresh} THEN ${now} ELSE ${lf.firstAt} END`,
    blockedUntil: sql`CASE WHEN (${count}) >= ${max} THEN ${now + blockMs} ELSE ${lf.blockedUntil} END`,
  };
}
