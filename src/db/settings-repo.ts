import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from './open.js';
import { settings } from './schema.js';

export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    return this.db.select().from(settings).where(eq(settings.key, key)).get()?.value;
  }

  set(key: string, value: string): void {
    this.db
      .insert(settings)
      .values({ key, value })
      .onConflictDoUpdate({ target: settings.key, set: { value } })
      .run();
  }

  /** getOrCreateSecret returns the stored random secret under key, generating it on first use. */
  getOrCreateSecret(key: string, bytes = 32): string {
    const existing = this.get(key);
    if (existing) return existing;
    const secret = randomBytes(bytes).toString('base64url');
    this.db.insert(settings).values({ key, value: secret }).onConflictDoNothing().run();
    return this.get(key) ?? secret;
  }
}
