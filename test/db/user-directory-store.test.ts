import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { LayeredUserDirectory } from '../../src/auth/user-directory.js';
import { postgresFixture, sqliteFixture } from './store-fixture.js';

const root = { name: 'root', passwordHash: 'h0', groups: ['*'], roles: ['admin'] };

describe.each([sqliteFixture(), postgresFixture()])('the user directory on the $name store', (fx) => {
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());
  afterEach(() => fx.reset());

  it('persists API users before they authenticate, and another directory on the store loads them', async () => {
    const store = await fx.open();
    const a = new LayeredUserDirectory([root], store.users);
    await a.put({ name: 'bob', passwordHash: 'h1', groups: ['adhoc'], roles: ['user'] });
    expect(a.get('bob')?.passwordHash).toBe('h1');
    const b = new LayeredUserDirectory([root], store.users);
    expect(b.get('bob')).toBeUndefined();
    await b.load();
    expect(b.get('bob')?.groups).toEqual(['adhoc']);
    await a.remove('bob');
    await b.load();
    expect(b.get('bob')).toBeUndefined();
  });

  it('refuses to change a config user, storing nothing', async () => {
    const store = await fx.open();
    const d = new LayeredUserDirectory([root], store.users);
    await expect(d.put({ ...root, passwordHash: 'evil' })).rejects.toBeInstanceOf(AppError);
    expect(await store.users.list()).toEqual([]);
    expect(d.get('root')?.passwordHash).toBe('h0');
  });
});
