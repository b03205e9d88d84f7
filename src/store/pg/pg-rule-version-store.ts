import { desc, eq } from 'drizzle-orm';
import type { PgDb } from '../../db/open-pg.js';
import { ruleVersions } from '../../db/schema.pg.js';
import type { RuleVersion, RuleVersionSummary } from '../../routing/rule-version-repo.js';
import type { RuleVersionStore } from '../ports.js';
import { announce } from './change-notice.js';

/** Database rule versions in PostgreSQL; the table is the audit trail, versions are only added. */
export class PgRuleVersionStore implements RuleVersionStore {
  constructor(private readonly db: PgDb) {}

  async latest(): Promise<RuleVersion | undefined> {
    return (await this.db.select().from(ruleVersions).orderBy(desc(ruleVersions.version)).limit(1))[0];
  }

  async get(version: number): Promise<RuleVersion | undefined> {
    return (await this.db.select().from(ruleVersions).where(eq(ruleVersions.version, version)))[0];
  }

  async list(limit: number): Promise<RuleVersionSummary[]> {
    const v = ruleVersions;
    return this.db
      .select({ version: v.version, author: v.author, summary: v.summary, createdAt: v.createdAt })
      .from(v)
      .orderBy(desc(v.version))
      .limit(limit);
  }

  /**
   * add inserts version base+1 when the newest is still `base`. Two saves from one base (two replicas)
   * both pass the check; the primary key then lets exactly one insert land, and the other gets undefined.
   */
  async add(base: number, row: Omit<RuleVersion, 'version'>): Promise<RuleVersion | undefined> {
    return this.db.transaction(async (tx) => {
      const newest = await tx
        .select({ v: ruleVersions.version })
        .from(ruleVersions)
        .orderBy(desc(ruleVersions.version))
        .limit(1);
      if ((newest[0]?.v ?? 0) !== base) return undefined;
      const version = base + 1;
      const landed = await tx
        .insert(ruleVersions)
        .values({ ...row, version })
        .onConflictDoNothing()
        .returning({ version: ruleVersions.version });
      if (landed.length === 0) return undefined;
      await announce(tx, 'rules');
      return { ...row, version };
    });
  }
}
