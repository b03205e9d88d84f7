import type { UserDirectory, UserRecord } from '../../src/auth/user-directory.js';

/**
 * userDirectory is a directory of these users whose records a test may replace through `users`, as the
 * admin API replaces them (the gateway's own directory is LayeredUserDirectory).
 */
export function userDirectory(
  list: readonly UserRecord[],
): UserDirectory & { users: Map<string, UserRecord> } {
  const users = new Map(list.map((u) => [u.name, u]));
  return { users, get: (name) => users.get(name) };
}
