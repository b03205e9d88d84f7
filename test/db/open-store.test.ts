import { describe, expect, it } from 'vitest';
import { databaseSchema } from '../../src/config/schema.js';
import { openStore } from '../../src/store/open-store.js';
import { createTestDatabase } from './pg-test-db.js';

describe('openStore', () => {
  it('opens SQLite at database.path by default', async () => {
    const { store } = await openStore(databaseSchema.parse({ path: ':memory:' }));
    expect(store.dialect).toBe('sqlite');
    await store.settings.set('k', 'v');
    expect(await store.settings.get('k')).toBe('v');
    await store.close();
  });

  it('opens PostgreSQL when database.url is set', async () => {
    const db = await createTestDatabase();
    try {
      const { store } = await openStore(databaseSchema.parse({ url: db.url, poolSize: 2 }));
      expect(store.dialect).toBe('postgresql');
      await store.settings.set('k', 'v');
      expect(await store.settings.get('k')).toBe('v');
      await store.close();
    } finally {
      await db.drop();
    }
  });
});
