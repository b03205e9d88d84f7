import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { catalogDeployments, catalogSpecs } from '../db/schema.js';

export type DeploymentState = 'pending' | 'applied' | 'failed' | 'dropping';

export interface CatalogSpec {
  group: string;
  name: string;
  connector: string;
  /** Secret values sealed (`jwe:…`). */
  properties: Record<string, string>;
  version: number;
  desired: 'present' | 'absent';
  createdAt: number;
  updatedAt: number;
}

export interface Deployment {
  group: string;
  catalog: string;
  backend: string;
  state: DeploymentState;
  specVersion: number;
  error: string | null;
  updatedAt: number;
}

/** toSpec and toDeployment read rows (either dialect's). */
export const toSpec = (r: typeof catalogSpecs.$inferSelect): CatalogSpec => ({
  group: r.groupName,
  name: r.name,
  connector: r.connector,
  properties: r.properties,
  version: r.version,
  desired: r.desired === 'absent' ? 'absent' : 'present',
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toDeployment = (r: typeof catalogDeployments.$inferSelect): Deployment => ({
  group: r.groupName,
  catalog: r.catalogName,
  backend: r.backend,
  state: r.state as DeploymentState,
  specVersion: r.specVersion,
  error: r.error,
  updatedAt: r.updatedAt,
});

/**
 * Desired catalog state per routing group and its deployment on each backend. A spec change and its
 * deployment rows are written in one transaction, so a crash never leaves a spec without its rows.
 */
export class CatalogRepo {
  constructor(private readonly db: Db) {}

  specs(group?: string): CatalogSpec[] {
    const q = this.db.select().from(catalogSpecs);
    return (group === undefined ? q.all() : q.where(eq(catalogSpecs.groupName, group)).all()).map(toSpec);
  }

  spec(group: string, name: string): CatalogSpec | undefined {
    const r = this.db
      .select()
      .from(catalogSpecs)
      .where(and(eq(catalogSpecs.groupName, group), eq(catalogSpecs.name, name)))
      .get();
    return r ? toSpec(r) : undefined;
  }

  deployments(group?: string, catalog?: string): Deployment[] {
    const conds = [
      ...(group !== undefined ? [eq(catalogDeployments.groupName, group)] : []),
      ...(catalog !== undefined ? [eq(catalogDeployments.catalogName, catalog)] : []),
    ];
    const q = this.db.select().from(catalogDeployments);
    return (conds.length ? q.where(and(...conds)).all() : q.all()).map(toDeployment);
  }

  /**
   * saveSpec stores a new version of a spec (present or absent) and sets the deployment row of each
   * listed backend to `state`, in one transaction. Returns the stored spec.
   */
  saveSpec(
    s: {
      group: string;
      name: string;
      connector: string;
      properties: Record<string, string>;
      desired: 'present' | 'absent';
    },
    backends: readonly string[],
    state: DeploymentState,
    now = Date.now(),
  ): CatalogSpec {
    return this.db.transaction((tx) => {
      const row = tx
        .insert(catalogSpecs)
        .values({
          groupName: s.group,
          name: s.name,
          connector: s.connector,
          properties: s.properties,
          desired: s.desired,
          version: 1,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [catalogSpecs.groupName, catalogSpecs.name],
          set: {
            connector: s.connector,
            properties: s.properties,
            desired: s.desired,
            version: sql`${catalogSpecs.version} + 1`,
            updatedAt: now,
          },
        })
        .returning()
        .get();
      for (const b of backends)
        tx.insert(catalogDeployments)
          .values({
            groupName: s.group,
            catalogName: s.name,
            backend: b,
            state,
            specVersion: row.version,
            error: null,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: [
              catalogDeployments.groupName,
              catalogDeployments.catalogName,
              catalogDeployments.backend,
            ],
            set: { state, specVersion: row.version, error: null, updatedAt: now },
          })
          .run();
      return toSpec(row);
    });
  }

  setDeployment(d: Omit<Deployment, 'updatedAt'>, now = Date.now()): void {
    this.db
      .insert(catalogDeployments)
      .values({
        groupName: d.group,
        catalogName: d.catalog,
        backend: d.backend,
        state: d.state,
        specVersion: d.specVersion,
        error: d.error,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [catalogDeployments.groupName, catalogDeployments.catalogName, catalogDeployments.backend],
        set: { state: d.state, specVersion: d.specVersion, error: d.error, updatedAt: now },
      })
      .run();
  }

  deleteDeployment(group: string, catalog: string, backend: string): void {
    this.db
      .delete(catalogDeployments)
      .where(
        and(
          eq(catalogDeployments.groupName, group),
          eq(catalogDeployments.catalogName, catalog),
          eq(catalogDeployments.backend, backend),
        ),
      )
      .run();
  }

  /** deleteBackend forgets every deployment row of a backend that left (deleted or moved group). */
  forgetBackend(backend: string, exceptGroup?: string): void {
    const rows = this.deployments().filter((d) => d.backend === backend && d.group !== exceptGroup);
    for (const d of rows) this.deleteDeployment(d.group, d.catalog, d.backend);
  }

  /** purgeIfDropped deletes an absent spec once no backend still has it; true when it was deleted. */
  purgeIfDropped(group: string, name: string): boolean {
    return this.db.transaction((tx) => {
      const spec = tx
        .select()
        .from(catalogSpecs)
        .where(and(eq(catalogSpecs.groupName, group), eq(catalogSpecs.name, name)))
        .get();
      if (!spec || spec.desired !== 'absent') return false;
      const left = tx
        .select()
        .from(catalogDeployments)
        .where(and(eq(catalogDeployments.groupName, group), eq(catalogDeployments.catalogName, name)))
        .all();
      if (left.length > 0) return false;
      tx.delete(catalogSpecs)
        .where(and(eq(catalogSpecs.groupName, group), eq(catalogSpecs.name, name)))
        .run();
      return true;
    });
  }
}
