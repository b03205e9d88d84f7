import { EventEmitter } from 'node:events';
import { AppError } from '../app-error.js';
import { Backend, type ForwardAuthorization } from './backend.js';
import type { BackendRecord, BackendRepo, GroupRecord } from './backend-repo.js';
import { backendDifferences, groupDifferences } from './record-diff.js';

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
 * The live set of backends and groups. The database is the source of truth; config seeds it. Every change
 * is persisted first, then applied in memory, then announced, so listeners (health, catalogs) see a
 * committed state.
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

  constructor(
    private readonly repo: BackendRepo,
    private readonly maxSockets: number,
    private readonly forwardAuthorization: ForwardAuthorization = 'always',
  ) {
    super();
    for (const g of repo.listGroups()) this.groupMap.set(g.name, g);
    this.names = new Set(this.groupMap.keys());
    for (const r of repo.listBackends()) this.put(new Backend(r, maxSockets, forwardAuthorization));
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

  add(rec: BackendRecord): Backend {
    this.guard('backend', rec.name);
    if (this.byName.has(rec.name)) throw new AppError(409, `backend "${rec.name}" already exists`);
    return this.write(rec);
  }

  update(rec: BackendRecord): Backend {
    this.guard('backend', rec.name);
    if (!this.byName.has(rec.name)) throw new AppError(404, `backend "${rec.name}" not found`);
    return this.write(rec);
  }

  remove(name: string): Backend {
    this.guard('backend', name);
    const b = this.byName.get(name);
    if (!b) throw new AppError(404, `backend "${name}" not found`);
    this.repo.deleteBackend(name);
    this.drop(b);
    this.emit('removed', b);
    this.emit('changed', { what: 'backend.delete', target: name, before: b.record() });
    // Requests already on their way finish; then its connections close.
    setTimeout(() => b.release(), 60_000).unref();
    return b;
  }

  setActive(name: string, active: boolean): Backend {
    this.guard('backend', name);
    const b = this.byName.get(name);
    if (!b) throw new AppError(404, `backend "${name}" not found`);
    if (b.active === active) return b;
    const before = b.record();
    this.repo.upsertBackend({ ...before, active });
    b.active = active;
    this.emit(active ? 'activated' : 'deactivated', b);
    const what = active ? 'backend.activate' : 'backend.deactivate';
    this.emit('changed', { what, target: name, before, after: b.record() });
    return b;
  }

  upsertGroup(g: GroupRecord): void {
    this.guard('group', g.name);
    if (g.fallback && g.fallback !== g.name && !this.groupMap.has(g.fallback))
      throw new AppError(400, `fallback group "${g.fallback}" not found`);
    if (g.fallback === g.name) throw new AppError(400, 'a group cannot fall back to itself');
    this.repo.upsertGroup(g);
    const before = this.groupMap.get(g.name);
    this.groupMap.set(g.name, g);
    this.names = new Set(this.groupMap.keys());
    this.emit('groupsChanged');
    const what = before ? 'group.update' : 'group.add';
    this.emit('changed', { what, target: g.name, before, after: g });
  }

  removeGroup(name: string): void {
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
    this.repo.deleteGroup(name);
    const before = this.groupMap.get(name);
    this.groupMap.delete(name);
    this.names = new Set(this.groupMap.keys());
    this.emit('groupsChanged');
    this.emit('changed', { what: 'group.delete', target: name, before });
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
      } else this.emit('added', this.replace(rec, old));
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

  private write(rec: BackendRecord): Backend {
    if (!this.groupMap.has(rec.group)) throw new AppError(400, `group "${rec.group}" not found`);
    this.repo.upsertBackend(rec);
    const old = this.byName.get(rec.name);
    const b = this.replace(rec, old);
    this.emit('added', b);
    this.emit('changed', {
      what: old ? 'backend.update' : 'backend.add',
      target: b.name,
      before: old?.record(),
      after: rec,
    });
    return b;
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
