import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { PgDb } from '../../db/open-pg.js';
import { settings } from '../../db/schema.pg.js';
import type { SettingsStore } from '../ports.js';

/** Key/value settings in PostgreSQL, shared by every replica (the affinity and console secrets). */
export class PgSettingsStore implements SettingsStore {
  constructor(private readonly db: PgDb) {}

  async get(key: string): Promise<string | undefined> {
    const rows = await this.db.select().from(settings).where(eq(settings.key, key));
    return rows[0]?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db
      .insert(settings)
      .values({ key, value })
      .onConflictDoUpdate({ target: settings.key, set: { value } });
  }

  /** The first replica's secret wins: a racing insert does nothing and everyone reads the stored one. */
  async getOrCreateSecret(key: string, bytes = 32): Promise<string> {
    const existing = await this.get(key);
    if (existing) return existing;
    const secret = randomBytes(bytes).toString('base64url');
    await this.db.insert(settings).values({ key, value: secret }).onConflictDoNothing();
    return (await this.get(key)) ?? secret;
  }
}
