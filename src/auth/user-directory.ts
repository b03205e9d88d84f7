/** A user the gateway can authenticate with a password. */
export interface UserRecord {
  name: string;
  passwordHash: string;
  groups: string[];
  roles: string[];
  defaultGroup?: string;
  impersonate?: string[];
}

/** Where users come from (config now; the admin API's database later). One method. */
export interface UserDirectory {
  get(name: string): UserRecord | undefined;
}

export class StaticUserDirectory implements UserDirectory {
  private readonly users: Map<string, UserRecord>;

  constructor(users: readonly UserRecord[]) {
    this.users = new Map(users.map((u) => [u.name, u]));
  }

  get(name: string): UserRecord | undefined {
    return this.users.get(name);
  }
}
