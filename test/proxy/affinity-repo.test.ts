import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { AffinityRepo } from '../../src/proxy/affinity-repo.js';

// The store port's contract on both dialects is test/db/store-contract.test.ts; here: the SQLite repo itself.
describe('AffinityRepo', () => {
  let opened: ReturnType<typeof openDatabase>;
  let repo: AffinityRepo;
  beforeEach(() => {
    opened = openDatabase(':memory:');
    repo = new AffinityRepo(opened.db);
  });
  afterEach(() => opened.close());

  it('keeps the first owner of a query: a second write of the same id changes nothing', () => {
    repo.putQuery('q1', 'b1', 1);
    repo.putQuery('q1', 'b2', 2);
    expect(repo.getQuery('q1')).toBe('b1');
    expect(repo.getQuery('q2')).toBeUndefined();
  });

  it('keeps transactions apart from queries, and forgets one on delete', () => {
    repo.putTransaction('x', 'bt', 1);
    repo.putQuery('x', 'bq', 1);
    expect([repo.getTransaction('x'), repo.getQuery('x')]).toEqual(['bt', 'bq']);
    repo.putTransaction('x', 'other', 2);
    expect(repo.getTransaction('x')).toBe('bt');
    repo.deleteTransaction('x');
    expect(repo.getTransaction('x')).toBeUndefined();
    expect(repo.getQuery('x')).toBe('bq');
    repo.deleteTransaction('never-there');
  });

  it('purges rows created strictly before the cutoff, of both kinds, and counts them', () => {
    repo.putQuery('old', 'b', 999);
    repo.putQuery('edge', 'b', 1000);
    repo.putTransaction('t-old', 'b', 10);
    repo.putTransaction('t-edge', 'b', 1000);
    expect(repo.purgeBefore(1000)).toBe(2);
    expect(repo.getQuery('old')).toBeUndefined();
    expect(repo.getTransaction('t-old')).toBeUndefined();
    expect(repo.getQuery('edge')).toBe('b');
    expect(repo.getTransaction('t-edge')).toBe('b');
    expect(repo.purgeBefore(1000)).toBe(0);
  });
});
