import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { RuleVersionRepo } from '../../src/routing/rule-version-repo.js';

// The store port's contract on both dialects is test/db/store-contract.test.ts; here: the SQLite repo itself.
describe('RuleVersionRepo', () => {
  let opened: ReturnType<typeof openDatabase>;
  let repo: RuleVersionRepo;
  const row = (yaml: string, createdAt = 1) => ({ yaml, author: 'alice', summary: `s ${yaml}`, createdAt });
  beforeEach(() => {
    opened = openDatabase(':memory:');
    repo = new RuleVersionRepo(opened.db);
  });
  afterEach(() => opened.close());

  it('has no version at first', () => {
    expect(repo.latest()).toBeUndefined();
    expect(repo.get(1)).toBeUndefined();
    expect(repo.list(10)).toEqual([]);
  });

  it('adds version base+1 only while the newest is base', () => {
    expect(repo.add(0, row('a'))).toEqual({ ...row('a'), version: 1 });
    expect(repo.add(0, row('b'))).toBeUndefined();
    expect(repo.add(2, row('b'))).toBeUndefined();
    expect(repo.add(1, row('b'))).toEqual({ ...row('b'), version: 2 });
    expect(repo.latest()).toEqual({ ...row('b'), version: 2 });
    expect(repo.get(1)?.yaml).toBe('a');
  });

  it('lists the newest first, at most `limit`, without the text', () => {
    for (let v = 0; v < 5; v++) repo.add(v, row(`r${v}`, v));
    const two = repo.list(2);
    expect(two).toEqual([
      { version: 5, author: 'alice', summary: 's r4', createdAt: 4 },
      { version: 4, author: 'alice', summary: 's r3', createdAt: 3 },
    ]);
    expect(repo.list(100).map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
  });
});
