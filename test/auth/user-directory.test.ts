import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { LayeredUserDirectory, type UserRecord } from '../../src/auth/user-directory.js';

const user = (name: string, passwordHash = `hash-of-${name}`): UserRecord => ({
  name,
  passwordHash,
  groups: ['adhoc'],
  roles: ['user'],
});

/** A repository kept in a Map, as the database one keeps rows; it records what was written. */
function memoryRepo(initial: UserRecord[] = []) {
  const rows = new Map(initial.map((u) => [u.name, u]));
  return {
    rows,
    list: async () => [...rows.values()],
    upsert: async (u: UserRecord) => void rows.set(u.name, u),
    delete: async (name: string) => rows.delete(name),
  };
}

function directory(config: UserRecord[], stored: UserRecord[] = []) {
  const repo = memoryRepo(stored);
  const changes: object[] = [];
  const dir = new LayeredUserDirectory(config, repo, (c) => changes.push(c), stored);
  return { dir, repo, changes };
}

const status = async (fn: () => Promise<void>) => {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return [(e as AppError).status, (e as Error).message];
  }
  return undefined;
};

describe('LayeredUserDirectory', () => {
  it('serves config users first: a stored user of the same name never shadows one', () => {
    const { dir } = directory([user('alice')], [user('alice', 'stored-hash'), user('bob')]);
    expect(dir.get('alice')?.passwordHash).toBe('hash-of-alice');
    expect(dir.get('bob')?.passwordHash).toBe('hash-of-bob');
    expect(dir.get('nobody')).toBeUndefined();
    expect(dir.list().map((u) => [u.name, u.source])).toEqual([
      ['alice', 'config'],
      ['bob', 'api'],
    ]);
    expect(dir.isConfigUser('alice')).toBe(true);
    expect(dir.isConfigUser('bob')).toBe(false);
  });

  it('adds and updates API users, persisting first, and audits them without the hash', async () => {
    const { dir, repo, changes } = directory([]);
    await dir.put(user('carol'));
    expect(repo.rows.get('carol')?.passwordHash).toBe('hash-of-carol');
    await dir.put({ ...user('carol'), roles: ['admin'] });
    await dir.put({ ...user('carol', 'new-hash'), roles: ['admin'] });
    expect(dir.get('carol')?.passwordHash).toBe('new-hash');
    expect(changes).toEqual([
      {
        what: 'user.add',
        target: 'carol',
        before: undefined,
        after: expect.objectContaining({ passwordChanged: true }),
      },
      expect.objectContaining({
        what: 'user.update',
        after: expect.objectContaining({ roles: ['admin'], passwordChanged: false }),
      }),
      expect.objectContaining({
        what: 'user.update',
        after: expect.objectContaining({ passwordChanged: true }),
      }),
    ]);
    expect(JSON.stringify(changes)).not.toContain('hash-of-carol');
    expect(JSON.stringify(changes)).not.toContain('new-hash');
  });

  it('removes API users, audited, and refuses config users and unknown names with 409 and 404', async () => {
    const { dir, repo, changes } = directory([user('alice')], [user('bob')]);
    expect(await status(() => dir.put(user('alice', 'x')))).toEqual([
      409,
      'user "alice" is defined in the config file; change it there',
    ]);
    expect(await status(() => dir.remove('alice'))).toEqual([
      409,
      'user "alice" is defined in the config file; remove it there',
    ]);
    expect(await status(() => dir.remove('nobody'))).toEqual([404, 'user "nobody" not found']);
    expect(dir.get('alice')?.passwordHash).toBe('hash-of-alice');
    expect(changes).toEqual([]);
    await dir.remove('bob');
    expect(dir.get('bob')).toBeUndefined();
    expect(repo.rows.has('bob')).toBe(false);
    expect(changes).toEqual([
      { what: 'user.delete', target: 'bob', before: { name: 'bob', groups: ['adhoc'], roles: ['user'] } },
    ]);
  });
});
