import { eq } from 'drizzle-orm';
import type { UserRecord } from '../../auth/user-directory.js';
import { toUserRecord } from '../../auth/user-repo.js';
import type { PgDb } from '../../db/open-pg.js';
import { users } from '../../db/schema.pg.js';
import type { UserStore } from '../ports.js';
import { announced } from './change-notice.js';

/** Users added through the admin API, in PostgreSQL. Only scrypt hashes are stored. */
export class PgUserStore implements UserStore {
  constructor(private readonly db: PgDb) {}

  async list(): Promise<UserRecord[]> {
    return (await this.db.select().from(users)).map(toUserRecord);
  }

  async upsert(u: UserRecord, now = Date.now()): Promise<void> {
    const cols = {
      passwordHash: u.passwordHash,
      groups: u.groups,
      roles: u.roles,
      defaultGroup: u.defaultGroup ?? null,
      impersonate: u.impersonate ?? [],
    };
    await announced(this.db, 'users', (tx) =>
      tx
        .insert(users)
        .values({ name: u.name, ...cols, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: users.name, set: { ...cols, updatedAt: now } }),
    );
  }

  async delete(name: string): Promise<boolean> {
    const rows = await announced(this.db, 'users', (tx) =>
      tx.delete(users).where(eq(users.name, name)).returning({ name: users.name }),
    );
    return rows.length > 0;
  }
}
