import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { ruleVersions } from '../db/schema.js';

export type RuleVersion = typeof ruleVersions.$inferSelect;
export type RuleVersionSummary = Omit<RuleVersion, 'yaml'>;

/** All SQL of the database rule versions. Versions are only ever added: the table is the audit trail. */
export class RuleVersionRepo {
  constructor(private readonly db: Db) {}

  latest(): RuleVersion | undefined {
    return this.db.select().from(ruleVersions).orderBy(desc(ruleVersions.version)).limit(1).get();
  }

  get(version: number): RuleVersion | undefined {
    return this.db.select().from(ruleVersions).where(eq(ruleVersions.version, version)).get();
  }

  /** list returns the newest versions first, without their text. */
  list(limit: number): RuleVersionSummary[] {
    const v = ruleVersions;
    return this.db
      .select({ version: v.version, author: v.author, summary: v.summary, createdAt: v.createdAt })
      .from(ruleVersions)
      .orderBy(desc(ruleVersions.version))
      .limit(limit)
      .all();
  }

  /**
   * add stores the next version if the newest is still `base` (0: none yet), in one IMMEDIATE transaction,
   * so two saves from the same base cannot both win. Returns undefined when another save came first.
   */
  add(base: number, row: Omit<RuleVersion, 'version'>): RuleVersion | undefined {
    return this.db.transaction(
      (tx) => {
        const newest = tx
          .select({ v: ruleVersions.version })
          .from(ruleVersions)
          .orderBy(desc(ruleVersions.version))
          .limit(1)
          .get();
        if ((newest?.v ?? 0) !== base) return undefined;
        const version = base + 1;
        tx.insert(ruleVersions)
          .values({ ...row, version })
          .run();
        return { ...row, version };
      },
      { behavior: 'immediate' },
    );
  }
}
