import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { backends, routingGroups } from '../db/schema.js';

export interface BackendRecord {
  name: string;
  url: string;
  externalUrl?: string;
  group: string;
  active: boolean;
  weight: number;
  catalogDriver: 'sql' | 'rest';
  /** The cluster processes X-Forwarded-* (http-server.process-forwarded=true). Default false. */
  processForwarded?: boolean;
  /** Whether the cluster receives clients' Authorization headers; undefined: auth.forwardAuthorization. */
  forwardAuthorization?: 'always' | 'never';
  /** Other origins the cluster builds its URLs with (its own load balancer). */
  advertisedUrls?: string[];
}

export interface GroupRecord {
  name: string;
  policy: string;
  fallback?: string;
}

type BackendRow = typeof backends.$inferSelect;

/** toBackendRecord reads a row (either dialect's: their shapes are equal, see db/schema-shape.ts). */
export const toBackendRecord = (r: BackendRow): BackendRecord => ({
  name: r.name,
  url: r.url,
  externalUrl: r.externalUrl ?? undefined,
  group: r.groupName,
  active: r.active,
  weight: r.weight,
  catalogDriver: r.catalogDriver === 'rest' ? 'rest' : 'sql',
  processForwarded: r.processForwarded,
  forwardAuthorization:
    r.forwardAuthorization === 'always' || r.forwardAuthorization === 'never'
      ? r.forwardAuthorization
      : undefined,
  advertisedUrls: r.advertisedUrls ? (JSON.parse(r.advertisedUrls) as string[]) : [],
});

/** Persistence of backends and routing groups. Deletes are soft: a deleted name is never re-seeded. */
export class BackendRepo {
  constructor(private readonly db: Db) {}

  listBackends(): BackendRecord[] {
    return this.db.select().from(backends).where(isNull(backends.deletedAt)).all().map(toBackendRecord);
  }

  /** seedBackend inserts a config backend unless the name was ever stored (even if deleted since). */
  seedBackend(b: BackendRecord, now = Date.now()): boolean {
    const res = this.db
      .insert(backends)
      .values({ ...this.columns(b), createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .run();
    return res.changes > 0;
  }

  /** upsertBackend creates or replaces a backend (reviving a deleted name). */
  upsertBackend(b: BackendRecord, now = Date.now()): void {
    const cols = this.columns(b);
    this.db
      .insert(backends)
      .values({ ...cols, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: backends.name, set: { ...cols, deletedAt: null, updatedAt: now } })
      .run();
  }

  deleteBackend(name: string, now = Date.now()): boolean {
    const res = this.db
      .update(backends)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(backends.name, name), isNull(backends.deletedAt)))
      .run();
    return res.changes > 0;
  }

  listGroups(): GroupRecord[] {
    return this.db
      .select()
      .from(routingGroups)
      .where(isNull(routingGroups.deletedAt))
      .all()
      .map((r) => ({ name: r.name, policy: r.policy, fallback: r.fallback ?? undefined }));
  }

  seedGroup(g: GroupRecord, now = Date.now()): boolean {
    const res = this.db
      .insert(routingGroups)
      .values({
        name: g.name,
        policy: g.policy,
        fallback: g.fallback ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .run();
    return res.changes > 0;
  }

  upsertGroup(g: GroupRecord, now = Date.now()): void {
    const cols = { policy: g.policy, fallback: g.fallback ?? null };
    this.db
      .insert(routingGroups)
      .values({ name: g.name, ...cols, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: routingGroups.name, set: { ...cols, deletedAt: null, updatedAt: now } })
      .run();
  }

  deleteGroup(name: string, now = Date.now()): boolean {
    const res = this.db
      .update(routingGroups)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(routingGroups.name, name), isNull(routingGroups.deletedAt)))
      .run();
    return res.changes > 0;
  }

  private columns(b: BackendRecord) {
    return backendColumns(b);
  }
}

/** backendColumns: the columns a record writes (both dialects). */
export function backendColumns(b: BackendRecord) {
  return {
    name: b.name,
    url: b.url,
    externalUrl: b.externalUrl ?? null,
    groupName: b.group,
    active: b.active,
    weight: b.weight,
    catalogDriver: b.catalogDriver,
    processForwarded: b.processForwarded ?? false,
    forwardAuthorization: b.forwardAuthorization ?? null,
    advertisedUrls: b.advertisedUrls?.length ? JSON.stringify(b.advertisedUrls) : null,
  };
}
