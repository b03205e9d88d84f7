import { AppError } from '../app-error.js';
import type { UserStore } from '../store/ports.js';

/** A user the gateway can authenticate with a password. */
export interface UserRecord {
  name: string;
  passwordHash: string;
  groups: string[];
  roles: string[];
  defaultGroup?: string;
  impersonate?: string[];
}

/** Where users come from (config and the admin API's database). One method. */
export interface UserDirectory {
  get(name: string): UserRecord | undefined;
}

/**
 * Config users (read-only at runtime) plus users kept in the database by the admin API, held in memory so
 * authentication never reads the database. A name defined in config cannot be shadowed or changed through
 * the API: the config file stays the authority for the users it declares.
 */
export class LayeredUserDirectory implements UserDirectory {
  private config: Map<string, UserRecord>;
  private readonly stored = new Map<string, UserRecord>();
  private all: UserRecord[] = [];
  private readonly listeners: Array<() => void> = [];

  constructor(
    configUsers: readonly UserRecord[],
    private readonly repo: UserStore,
    /** Told of each committed change (the audit trail); users appear without their password hash. */
    private readonly onChange?: (c: {
      what: string;
      target: string;
      before?: object;
      after?: object;
    }) => void,
    /** The stored users when the caller already has them (read synchronously from SQLite); else load(). */
    initial: readonly UserRecord[] = [],
  ) {
    this.config = new Map(configUsers.map((u) => [u.name, u]));
    this.replace(initial);
  }

  /** load (re)reads the stored users: at start, and when another replica changed them. */
  async load(): Promise<void> {
    this.replace(await this.repo.list());
  }

  private replace(users: readonly UserRecord[]): void {
    this.all = [...users];
    this.stored.clear();
    for (const u of users) if (!this.config.has(u.name)) this.stored.set(u.name, u);
  }

  /** setConfigUsers puts a reloaded config file's users in force (configAuthority: file, on SIGHUP). */
  setConfigUsers(users: readonly UserRecord[]): void {
    this.config = new Map(users.map((u) => [u.name, u]));
    this.replace(this.all);
  }

  /** onCommitted calls fn after each change committed here (other processes are told to reload). */
  onCommitted(fn: () => void): void {
    this.listeners.push(fn);
  }

  get(name: string): UserRecord | undefined {
    return this.config.get(name) ?? this.stored.get(name);
  }

  /** list returns every user with where it is defined. */
  list(): Array<UserRecord & { source: 'config' | 'api' }> {
    return [
      ...[...this.config.values()].map((u) => ({ ...u, source: 'config' as const })),
      ...[...this.stored.values()].map((u) => ({ ...u, source: 'api' as const })),
    ];
  }

  isConfigUser(name: string): boolean {
    return this.config.has(name);
  }

  /** put creates or replaces an API user (persisted first, then visible to authentication). */
  async put(u: UserRecord): Promise<void> {
    if (this.config.has(u.name))
      throw new AppError(409, `user "${u.name}" is defined in the config file; change it there`);
    // Read before the write: a reload (another replica's notice) may replace `stored` while it runs.
    const before = this.stored.get(u.name);
    await this.repo.upsert(u);
    this.stored.set(u.name, u);
    this.all = [...this.all.filter((x) => x.name !== u.name), u];
    for (const fn of this.listeners) fn();
    this.onChange?.({
      what: before ? 'user.update' : 'user.add',
      target: u.name,
      before: before && withoutHash(before),
      after: { ...withoutHash(u), passwordChanged: before?.passwordHash !== u.passwordHash },
    });
  }

  async remove(name: string): Promise<void> {
    if (this.config.has(name))
      throw new AppError(409, `user "${name}" is defined in the config file; remove it there`);
    const before = this.stored.get(name);
    if (!before) throw new AppError(404, `user "${name}" not found`);
    await this.repo.delete(name);
    this.stored.delete(name);
    this.all = this.all.filter((x) => x.name !== name);
    for (const fn of this.listeners) fn();
    this.onChange?.({ what: 'user.delete', target: name, before: withoutHash(before) });
  }
}

/** withoutHash is a user as the audit trail shows it: never its password hash. */
function withoutHash({ passwordHash: _, ...rest }: UserRecord): Omit<UserRecord, 'passwordHash'> {
  return rest;
}
