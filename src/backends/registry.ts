import { EventEmitter } from 'node:events';
import { AppError } from '../app-error.js';
import { Backend, type ForwardAuthorization } from './backend.js';
import type { BackendStore } from '../store/ports.js';
import type { BackendRecord, GroupRecord } from './backend-repo.js';
import { backendDifferences, groupDifferences } from './record-diff.js';

/** What the registry starts from: the stored backends and groups, read through the port at start. */
export interface RegistrySnapshot {
  backends: readonly BackendRecord[];
  groups: readonly GroupRecord[];
}

export interface RegistryEvents {
  /** A backend was added, replaced (update), or (re)activated. */
  added: [Backend];
  removed: [Backend];
  activated: [Backend];
  deactivated: [Backend];
  groupsChanged: [];
  /** Any committed change, with the records before and after (for the audit trail). */
  changed: [RegistryChange];
}

/** One committed change: what (backend.add, group.delete…), its name, the records before and after. */
export interface RegistryChange {
  what: string;
  target: string;
  before?: BackendRecord | GroupRecord;
  after?: BackendRecord | GroupRecord;
}

/**
 * The live set of backends and groups, held in memory (routing never reads the store). The store is the
 * source of truth; config seeds it. Every change is persisted first (awaited through the async port), then
 * applied in memory, then announced, so listeners (health, catalogs) see a committed state. Changes run one
 * at a time, so a check and its write never interleave with another change.
 */
export class BackendRegistry extends EventEmitter<RegistryEvents> {
  private readonly byName = new Map<string, Backend>();
  private readonly byGroup = new Map<string, Backend[]>();
  private readonly groupMap = new Map<string, GroupRecord>();
  private names: ReadonlySet<string> = new Set();
  /** Names the config file owns (configAuthority: file): the admin API may not change them. */
  private owned: { backends: ReadonlySet<string>; groups: ReadonlySet<string> } = {
    backends: new Set(),
    groups: new Set(),
  };
  private chain: Promise<unknown> = Promise.resolve();
  private replaying = false;

  constructor(
    private readonly repo: BackendStore,
    initial: RegistrySnapshot,
    private readonly maxSockets: number,
    private readonly forwardAuthorization: ForwardAuthorization = 'always',
  ) {
    super();
    for (const g of initial.groups) this.groupMap.set(g.name, g);
    this.names = new Set(this.groupMap.keys());
    for (const r of initial.backends) this.put(new Backend(r, maxSockets, forwardAuthorization));
  }

  all(): Backend[] {
    return [...this.byName.values()];
  }

  get(name: string): Backend | undefined {
    return this.byName.get(name);
  }

  /** inGroup returns the group's backends (a shared array: do not mutate). */
  inGroup(group: string): readonly Backend[] {
    return this.byGroup.get(group) ?? [];
  }

  groups(): GroupRecord[] {
    return [...this.groupMap.values()];
  }

  /** groupNames is the set of group names (one shared set, rebuilt on change: no allocation per query). */
  groupNames(): ReadonlySet<string> {
    return this.names;
  }

  group(name: string): GroupRecord | undefined {
    return this.groupMap.get(name);
  }

  /** setFileOwned names the backends and groups the config file owns; changes to them are refused (409). */
  setFileOwned(owned: { backends: ReadonlySet<string>; groups: ReadonlySet<string> }): void {
    this.owned = owned;
  }

  add(rec: BackendRecord): Promise<Backend> {
    return this.serially(async () => {
      this.guard('backend', rec.name);
      if (this.byName.has(rec.name)) throw new AppError(409, `backend "${rec.name}" already exists`);
      return this.write(rec);
    });
  }

  update(rec: BackendRecord): Promise<Backend> {
    return this.serially(async () => {
      this.guard('backend', rec.name);
      if (!this.byName.has(rec.name)) throw new AppError(404, `backend "${rec.name}" not found`);
      return this.write(rec);
    });
  }

  remove(name: string): Promise<Backend> {
    return this.serially(async () => {
      this.guard('backend', name);
      const b = this.byName.get(name);
      if (!b) throw new AppError(404, `backend "${name}" not found`);
      await this.repo.deleteBackend(name);
      this.removed(b);
      return b;
    });
  }

  private removed(b: Backend): void {
    const name = b.name;
    this.drop(b);
    this.emit('removed', b);
    this.changed({ what: 'backend.delete', target: name, before: b.record() });
    // Requests already on their way finish; then its connections close.
    setTimeout(() => b.release(), 60_000).unref();
  }

  setActive(name: string, active: boolean): Promise<Backend> {
    return this.serially(async () => {
      this.guard('backend', name);
      const b = this.byName.get(name);
      if (!b) throw new AppError(404, `backend "${name}" not found`);
      if (b.active === active) return b;
      await this.repo.upsertBackend({ ...b.record(), active });
      this.activeSet(b, active);
      return b;
    });
  }

  private activeSet(b: Backend, active: boolean): void {
    const before = b.record();
    b.active = active;
    this.emit(active ? 'activated' : 'deactivated', b);
    const what = active ? 'backend.activate' : 'backend.deactivate';
    this.changed({ what, target: b.name, before, after: b.record() });
  }

  upsertGroup(g: GroupRecord): Promise<void> {
    return this.serially(async () => {
      this.guard('group', g.name);
      if (g.fallback && g.fallback !== g.name && !this.groupMap.has(g.fallback))
        throw new AppError(400, `fallback group "${g.fallback}" not found`);
      if (g.fallback === g.name) throw new AppError(400, 'a group cannot fall back to itself');
      await this.repo.upsertGroup(g);
      this.groupSet(g);
    });
  }

  private groupSet(g: GroupRecord): void {
    const before = this.groupMap.get(g.name);
    this.groupMap.set(g.name, g);
    this.names = new Set(this.groupMap.keys());
    this.emit('groupsChanged');
    const what = before ? 'group.update' : 'group.add';
    this.changed({ what, target: g.name, before, after: g });
  }

  removeGroup(name: string): Promise<void> {
    return this.serially(async () => {
      this.guard('group', name);
      if (!this.groupMap.has(name)) throw new AppError(404, `group "${name}" not found`);
      if (this.inGroup(name).length > 0)
        throw new AppError(409, `group "${name}" still has backends; move or delete them first`);
      const dependents = this.groups().filter((g) => g.fallback === name);
      if (dependents.length > 0)
        throw new AppError(
          409,
          `group "${name}" is the fallback of ${dependents.map((g) => g.name).join(', ')}`,
        );
      await this.repo.deleteGroup(name);
      this.groupDropped(name);
    });
  }

  private groupDropped(name: string): void {
    const before = this.groupMap.get(name);
    this.groupMap.delete(name);
    this.names = new Set(this.groupMap.keys());
    this.emit('groupsChanged');
    this.changed({ what: 'group.delete', target: name, before });
  }

  /**
   * reload makes memory match what the store holds now (another replica changed it): the differences
   * become the usual events (added, removed, activated…), so health, catalogs and routing follow. No
   * `changed` event: the replica that made the change wrote the audit line. Runs between changes, and
   * reads the store only then, so a change of this gateway is never undone by an older read.
   */
  reload(read: () => Promise<RegistrySnapshot>): Promise<void> {
    return this.serially(async () => {
      const snap = await read();
      this.replaying = true;
      try {
        this.replay(snap);
      } finally {
        this.replaying = false;
      }
    });
  }

  private replay(snap: RegistrySnapshot): void {
    for (const g of snap.groups) if (!same(this.groupMap.get(g.name), g)) this.groupSet(g);
    const wanted = new Map(snap.backends.map((r) => [r.name, r]));
    for (const b of this.all()) if (!wanted.has(b.name)) this.removed(b);
    for (const rec of wanted.values()) {
      const b = this.byName.get(rec.name);
      const now = b?.record();
      if (b && now && same(now, rec)) continue;
      if (b && now && same({ ...now, active: rec.active }, rec)) this.activeSet(b, rec.active);
      else this.written(rec);
    }
    const keep = new Set(snap.groups.map((g) => g.name));
    for (const name of [...this.groupMap.keys()]) if (!keep.has(name)) this.groupDropped(name);
  }

  private changed(c: RegistryChange): void {
    if (!this.replaying) this.emit('changed', c);
  }

  /**
   * sync makes memory match records another process committed (a change notice): the events a local change
   * emits, except `changed` (the process that made the change wrote its audit line). Persists nothing.
   */
  sync(backends: readonly BackendRecord[], groups: readonly GroupRecord[]): void {
    const fresh = new Map(groups.map((g) => [g.name, g]));
    const same =
      fresh.size === this.groupMap.size &&
      [...fresh].every(([n, g]) => {
        const old = this.groupMap.get(n);
        return old !== undefined && groupDifferences(old, g).length === 0;
      });
    if (!same) {
      this.groupMap.clear();
      for (const g of groups) this.groupMap.set(g.name, g);
      this.names = new Set(this.groupMap.keys());
      this.emit('groupsChanged');
    }
    const seen = new Set<string>();
    for (const rec of backends) {
      seen.add(rec.name);
      const old = this.byName.get(rec.name);
      const diff = old ? backendDifferences(old.record(), rec) : undefined;
      if (diff?.length === 0) continue;
      if (old && diff!.every((d) => d.field === 'active')) {
        old.active = rec.active;
        this.emit(rec.active ? 'activated' : 'deactivated', old);
      } else {
        // replace emits `added`; `changed` is the committing process's (its audit line), not this one's.
        this.replaying = true;
        try {
          this.replace(rec, old);
        } finally {
          this.replaying = false;
        }
      }
    }
    for (const b of this.all())
      if (!seen.has(b.name)) {
        this.drop(b);
        this.emit('removed', b);
        setTimeout(() => b.release(), 60_000).unref();
      }
  }

  /** close releases every backend's keep-alive sockets. */
  close(): void {
    for (const b of this.byName.values()) b.release();
  }

  /** serially runs one change after every earlier one has settled. */
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(rec: BackendRecord): Promise<Backend> {
    if (!this.groupMap.has(rec.group)) throw new AppError(400, `group "${rec.group}" not found`);
    await this.repo.upsertBackend(rec);
    return this.written(rec);
  }

  private written(rec: BackendRecord): Backend {
    return this.replace(rec, this.byName.get(rec.name));
  }

  /** replace puts a backend for rec in memory in place of old, keeping what is known of the same cluster. */
  private replace(rec: BackendRecord, old: Backend | undefined): Backend {
    const b = new Backend(rec, this.maxSockets, this.forwardAuthorization);
    if (old) {
      // Same cluster, new settings: keep what we know about it; the old connections drain and close.
      if (old.url === b.url) {
        b.health = old.health;
        b.stats = old.stats;
      }
      b.inFlight = old.inFlight;
      this.drop(old);
      setTimeout(() => old.release(), 60_000).unref();
    }
    this.put(b);
    this.emit('added', b);
    this.changed({
      what: old ? 'backend.update' : 'backend.add',
      target: b.name,
      before: old?.record(),
      after: rec,
    });
    return b;
  }

  private guard(kind: 'backend' | 'group', name: string): void {
    if ((kind === 'backend' ? this.owned.backends : this.owned.groups).has(name))
      throw new AppError(
        409,
        `${kind} "${name}" is defined in the config file (configAuthority: file); change it there`,
      );
  }

  private put(b: Backend): void {
    this.byName.set(b.name, b);
    this.byGroup.set(b.group, [...(this.byGroup.get(b.group) ?? []), b]);
  }

  private drop(b: Backend): void {
    this.byName.delete(b.name);
    const rest = (this.byGroup.get(b.group) ?? []).filter((x) => x !== b);
    if (rest.length) this.byGroup.set(b.group, rest);
    else this.byGroup.delete(b.group);
  }
}

/** same compares two flat records by value (key order and undefined fields aside). */
function same(a: object | undefined, b: object): boolean {
  const text = (o: object) => JSON.stringify(o, Object.keys(o).sort());
  return a !== undefined && text(a) === text(b);
}
