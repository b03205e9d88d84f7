import { and, eq, ne, sql, type SQL } from 'drizzle-orm';
import {
  toDeployment,
  toSpec,
  type CatalogSpec,
  type Deployment,
  type DeploymentState,
} from '../../catalogs/catalog-repo.js';
import type { PgDb } from '../../db/open-pg.js';
import { catalogDeployments as dep, catalogSpecs as specs } from '../../db/schema.pg.js';
import type { CatalogStore } from '../ports.js';
import { announce, announced } from './change-notice.js';

const DEP_KEY = [dep.groupName, dep.catalogName, dep.backend];

/** Catalog specs and deployments in PostgreSQL; a spec change and its deployment rows share one transaction. */
export class PgCatalogStore implements CatalogStore {
  constructor(private readonly db: PgDb) {}

  async specs(group?: string): Promise<CatalogSpec[]> {
    const q = this.db.select().from(specs);
    return (await (group === undefined ? q : q.where(eq(specs.groupName, group)))).map(toSpec);
  }

  async spec(group: string, name: string): Promise<CatalogSpec | undefined> {
    const rows = await this.db
      .select()
      .from(specs)
      .where(and(eq(specs.groupName, group), eq(specs.name, name)));
    return rows[0] ? toSpec(rows[0]) : undefined;
  }

  async deployments(group?: string, catalog?: string): Promise<Deployment[]> {
    const conds: SQL[] = [
      ...(group !== undefined ? [eq(dep.groupName, group)] : []),
      ...(catalog !== undefined ? [eq(dep.catalogName, catalog)] : []),
    ];
    const q = this.db.select().from(dep);
    return (await (conds.length ? q.where(and(...conds)) : q)).map(toDeployment);
  }

  async saveSpec(
    s: Pick<CatalogSpec, 'group' | 'name' | 'connector' | 'properties' | 'desired'>,
    backends: readonly string[],
    state: DeploymentState,
    now = Date.now(),
  ): Promise<CatalogSpec> {
    return this.db.transaction(async (tx) => {
      const cols = { connector: s.connector, properties: s.properties, desired: s.desired };
      const [row] = await tx
        .insert(specs)
        .values({ groupName: s.group, name: s.name, ...cols, version: 1, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: [specs.groupName, specs.name],
          set: { ...cols, version: sql`${specs.version} + 1`, updatedAt: now },
        })
        .returning();
      const v = row!.version;
      if (backends.length > 0)
        await tx
          .insert(dep)
          .values(
            backends.map((b) => ({
              groupName: s.group,
              catalogName: s.name,
              backend: b,
              state,
              specVersion: v,
              error: null,
              updatedAt: now,
            })),
          )
          .onConflictDoUpdate({
            target: DEP_KEY,
            set: { state, specVersion: v, error: null, updatedAt: now },
          });
      await announce(tx, 'catalogs');
      return toSpec(row!);
    });
  }

  async setDeployment(d: Omit<Deployment, 'updatedAt'>, now = Date.now()): Promise<void> {
    const set = { state: d.state, specVersion: d.specVersion, error: d.error, updatedAt: now };
    await this.db
      .insert(dep)
      .values({ groupName: d.group, catalogName: d.catalog, backend: d.backend, ...set })
      .onConflictDoUpdate({ target: DEP_KEY, set });
  }

  async deleteDeployment(group: string, catalog: string, backend: string): Promise<void> {
    await this.db
      .delete(dep)
      .where(and(eq(dep.groupName, group), eq(dep.catalogName, catalog), eq(dep.backend, backend)));
  }

  async forgetBackend(backend: string, exceptGroup?: string): Promise<void> {
    const other = exceptGroup === undefined ? undefined : ne(dep.groupName, exceptGroup);
    await this.db.delete(dep).where(and(eq(dep.backend, backend), other));
  }

  /** One statement: the absent spec goes only while no deployment row of it is left. */
  async purgeIfDropped(group: string, name: string): Promise<boolean> {
    const gone = await announced(this.db, 'catalogs', (tx) =>
      tx
        .delete(specs)
        .where(
          and(
            eq(specs.groupName, group),
            eq(specs.name, name),
            eq(specs.desired, 'absent'),
            sql`NOT EXISTS (SELECT 1 FROM ${dep} WHERE ${dep.groupName} = ${group} AND ${dep.catalogName} = ${name})`,
          ),
        )
        .returning({ name: specs.name }),
    );
    return gone.length > 0;
  }
}
