import type { UserDirectory, UserRecord } from '../../src/auth/user-directory.js';

/** userDirectory is a fixed directory of these users (the gateway's own is LayeredUserDirectory). */
export function userDirectory(users: readonly UserRecord[]): UserDirectory {
  const byName = new Map(users.map((u) => [u.name, u]));
  return { get: (name) => byName.get(name) };
}
