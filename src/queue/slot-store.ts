/** The limits one routing group's queue enforces (groups[].queue); undefined means no limit. */
export interface SlotLimits {
  maxRunningPerBackend?: number;
  perUserMaxRunning?: number;
}

/**
 * SlotStore keeps the count of running queries per backend and per (group, user), and takes a slot only
 * when both limits allow it, as one atomic step: two submissions can never both see the last free slot.
 *
 * The interface is asynchronous so a shared store can implement it for several gateway replicas (the
 * scale-out issue: one `UPDATE group_slots SET running = running + 1 WHERE … AND running < $max RETURNING`
 * in PostgreSQL). Single-node mode uses MemorySlotStore below.
 */
export interface SlotStore {
  /** take counts one more query on backend for user, or answers false (nothing counted) when a limit is full. */
  take(group: string, backend: string, user: string, limits: SlotLimits): Promise<boolean>;
  /** force counts a query that already runs (taken back after a restart), limits or not. */
  force(group: string, backend: string, user: string): Promise<void>;
  /** give returns one slot taken by take or force. */
  give(group: string, backend: string, user: string): Promise<void>;
  /** running is this gateway's count of queries running on backend (sync: a hint for choosing, not a decision). */
  running(backend: string): number;
  /** userRunning is the user's count in group (sync hint, as running). */
  userRunning(group: string, user: string): number;
  /** A shared store's background work (its heartbeat) runs from start to stop; errors go to onError. */
  start?(onError: (e: unknown) => void): void;
  stop?(): void;
  /** Set by the queue: told when slots may have freed elsewhere (another replica), to hand them out. */
  onRefresh?: () => void;
}

/**
 * SyncSlotStore is a SlotStore whose steps are synchronous underneath (the in-memory one): the admission
 * queue then decides without a promise per step (see AdmissionQueue), and keeps the async path for the rest.
 */
export interface SyncSlotStore extends SlotStore {
  takeNow(group: string, backend: string, user: string, limits: SlotLimits): boolean;
  giveNow(group: string, backend: string, user: string): void;
}

/** isSyncSlotStore tells whether a store offers the synchronous steps. */
export function isSyncSlotStore(s: SlotStore): s is SyncSlotStore {
  const x = s as Partial<SyncSlotStore>;
  return typeof x.takeNow === 'function' && typeof x.giveNow === 'function';
}

/** MemorySlotStore is the single-node SlotStore: two maps of counts, each step synchronous and so atomic. */
export class MemorySlotStore implements SyncSlotStore {
  private readonly byBackend = new Map<string, number>();
  private readonly byUser = new Map<string, number>();

  take(group: string, backend: string, user: string, limits: SlotLimits): Promise<boolean> {
    return Promise.resolve(this.takeNow(group, backend, user, limits));
  }

  /** takeNow is take without the promise, for callers that know the store is this one (and the bench). */
  takeNow(group: string, backend: string, user: string, limits: SlotLimits): boolean {
    const b = this.byBackend.get(backend) ?? 0;
    if (limits.maxRunningPerBackend !== undefined && b >= limits.maxRunningPerBackend) return false;
    const key = userKey(group, user);
    const u = this.byUser.get(key) ?? 0;
    if (limits.perUserMaxRunning !== undefined && u >= limits.perUserMaxRunning) return false;
    this.byBackend.set(backend, b + 1);
    this.byUser.set(key, u + 1);
    return true;
  }

  force(group: string, backend: string, user: string): Promise<void> {
    this.byBackend.set(backend, (this.byBackend.get(backend) ?? 0) + 1);
    const key = userKey(group, user);
    this.byUser.set(key, (this.byUser.get(key) ?? 0) + 1);
    return Promise.resolve();
  }

  give(group: string, backend: string, user: string): Promise<void> {
    this.giveNow(group, backend, user);
    return Promise.resolve();
  }

  /** giveNow is give without the promise. */
  giveNow(group: string, backend: string, user: string): void {
    decrement(this.byBackend, backend);
    decrement(this.byUser, userKey(group, user));
  }

  running(backend: string): number {
    return this.byBackend.get(backend) ?? 0;
  }

  userRunning(group: string, user: string): number {
    return this.byUser.get(userKey(group, user)) ?? 0;
  }
}

function userKey(group: string, user: string): string {
  return `${group}\u0000${user}`;
}

/** decrement lowers a count, dropping the entry at zero (so the maps stay as small as the live set). */
function decrement(m: Map<string, number>, key: string): void {
  const n = (m.get(key) ?? 0) - 1;
  if (n > 0) m.set(key, n);
  else m.delete(key);
}
