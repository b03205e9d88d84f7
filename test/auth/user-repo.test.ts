import { describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/auth/user-repo.js';
import { openDatabase } from '../../src/db/open.js';

const bob = {
  name: 'bob',
  passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA',
  groups: ['adhoc'],
  roles: ['user'],
};

describe('UserRepo', () => {
  it('stores a user and reads it back, defaults filled', () => {
    const r = new UserRepo(openDatabase(':memory:').db);
    r.upsert(bob);
    expect(r.list()).toEqual([{ ...bob, defaultGroup: undefined, impersonate: [] }]);
  });

  it('updates a user in place, keeping one row', () => {
    const r = new UserRepo(openDatabase(':memory:').db);
    r.upsert(bob, 1000);
    r.upsert({ ...bob, roles: ['admin'], defaultGroup: 'etl', impersonate: ['svc-*'] }, 2000);
    expect(r.list()).toEqual([{ ...bob, roles: ['admin'], defaultGroup: 'etl', impersonate: ['svc-*'] }]);
  });

  it('deletes, saying whether there was a user', () => {
    const r = new UserRepo(openDatabase(':memory:').db);
    r.upsert(bob);
    expect(r.delete('bob')).toBe(true);
    expect(r.delete('bob')).toBe(false);
    expect(r.list()).toEqual([]);
  });
});
