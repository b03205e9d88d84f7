import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { users } from '../db/schema.js';
import type { UserRecord } from './user-directory.js';

/** toUserRecord reads a row (either dialect's). */
export const toUserRecord = (r: typeof users.$inferSelect): UserRecord => ({
  name: r.name,
  passwordHash: r.passwordHash,
  groups: r.groups,
  roles: r.roles,
  defaultGroup: r.defaultGroup ?? undefined,
  impersonate: r.impersonate ?? [],
});

/** Persistence of users added through the admin API. Only scrypt hashes are stored. */
export class UserRepo {
  constructor(private readonly db: Db) {}

  list(): UserRecord[] {
    return this.db.select().from(users).all().map(toUserRecord);
  }

  upsert(u: UserRecord, now = Date.now()): void {
    const cols = {
      passwordHash: u.passwordHash,
      groups: u.groups,
      roles: u.roles,
      defaultGroup: u.defaultGroup ?? null,
      impersonate: u.impersonate ?? [],
    };
    this.db
      .insert(users)
      .values({ name: u.name, ...cols, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: users.name, set: { ...cols, updatedAt: now } })
      .run();
  }

  delete(name: string): boolean {
    return this.db.delete(users).where(eq(users.name, name)).run().changes > 0;
  }
}
