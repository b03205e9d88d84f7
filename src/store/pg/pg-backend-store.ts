import { and, asc, eq, isNull } from 'drizzle-orm';
import {
  backendColumns,
  toBackendRecord,
  type BackendRecord,
  type GroupRecord,
} from '../../backends/backend-repo.js';
import type { PgDb } from '../../db/open-pg.js';
import { backends, routingGroups } from '../../db/schema.pg.js';
import type { BackendStore } from '../ports.js';
import { announced } from './change-notice.js';

/**
 * Backends and routing groups in PostgreSQL; the same statements as the SQLite repo. Every change is
 * announced to the other replicas in its own transaction (change-notice.ts).
 */
export class PgBackendStore implements BackendStore {
  constructor(private readonly db: PgDb) {}

  /** listBackends in the order they were first stored, as SQLite's rowid order gives them. */
  async listBackends(): Promise<BackendRecord[]> {
    const rows = await this.db
      .select()
      .from(backends)
      .where(isNull(backends.deletedAt))
      .orderBy(asc(backends.createdAt), asc(backends.name));
    return rows.map(toBackendRecord);
  }

  async seedBackend(b: BackendRecord, now = Date.now()): Promise<boolean> {
    const rows = await announced(this.db, 'backends', (tx) =>
      tx
        .insert(backends)
        .values({ ...backendColumns(b), createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .returning({ name: backends.name }),
    );
    return rows.length > 0;
  }

  async upsertBackend(b: BackendRecord, now = Date.now()): Promise<void> {
    const cols = backendColumns(b);
    await announced(this.db, 'backends', (tx) =>
      tx
        .insert(backends)
        .values({ ...cols, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: backends.name, set: { ...cols, deletedAt: null, updatedAt: now } }),
    );
  }

  async deleteBackend(name: string, now = Date.now()): Promise<boolean> {
    const rows = await announced(this.db, 'backends', (tx) =>
      tx
        .update(backends)
        .set({ deletedAt: now, updatedAt: now })
        .where(and(eq(backends.name, name), isNull(backends.deletedAt)))
        .returning({ name: backends.name }),
    );
    return rows.length > 0;
  }

  async listGroups(): Promise<GroupRecord[]> {
    const rows = await this.db
      .select()
      .from(routingGroups)
      .where(isNull(routingGroups.deletedAt))
      .orderBy(asc(routingGroups.createdAt), asc(routingGroups.name));
    return rows.map((r) => ({ name: r.name, policy: r.policy, fallback: r.fallback ?? undefined }));
  }

  async seedGroup(g: GroupRecord, now = Date.now()): Promise<boolean> {
    const rows = await announced(this.db, 'backends', (tx) =>
      tx
        .insert(routingGroups)
        .values({
          name: g.name,
          policy: g.policy,
          fallback: g.fallback ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ name: routingGroups.name }),
    );
    return rows.length > 0;
  }

  async upsertGroup(g: GroupRecord, now = Date.now()): Promise<void> {
    const cols = { policy: g.policy, fallback: g.fallback ?? null };
    await announced(this.db, 'backends', (tx) =>
      tx
        .insert(routingGroups)
        .values({ name: g.name, ...cols, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: routingGroups.name,
          set: { ...cols, deletedAt: null, updatedAt: now },
        }),
    );
  }

  async deleteGroup(name: string, now = Date.now()): Promise<boolean> {
    const rows = await announced(this.db, 'backends', (tx) =>
      tx
        .update(routingGroups)
        .set({ deletedAt: now, updatedAt: now })
        .where(and(eq(routingGroups.name, name), isNull(routingGroups.deletedAt)))
        .returning({ name: routingGroups.name }),
    );
    return rows.length > 0;
  }
}
