import { describe, expect, it } from 'vitest';
import { Affinity } from '../../src/proxy/affinity.js';
import type { AffinityRepo } from '../../src/proxy/affinity-repo.js';
import type { Logger } from '../../src/observability/logger.js';

/** A store that keeps rows in maps, and fails while `broken` is set (a locked file, a full disk). */
function store() {
  const queries = new Map<string, string>();
  const txns = new Map<string, string>();
  const s = { broken: false, reads: 0 };
  const check = () => {
    if (s.broken) throw new Error('SQLITE_BUSY');
  };
  const repo = {
    putQuery: (q: string, b: string) => (check(), queries.set(q, b)),
    getQuery: (q: string) => (s.reads++, check(), queries.get(q)),
    putTransaction: (t: string, b: string) => (check(), txns.set(t, b)),
    getTransaction: (t: string) => (check(), txns.get(t)),
    deleteTransaction: (t: string) => (check(), txns.delete(t)),
  } as unknown as AffinityRepo;
  return { s, repo, queries };
}
const warnings: string[] = [];
const logger = { warn: (_: unknown, m: string) => warnings.push(m) } as unknown as Logger;

describe('affinity', () => {
  it('answers from memory in steady state, and from the store for a query memory does not know', () => {
    const { s, repo, queries } = store();
    const a = new Affinity(repo, logger);
    a.rememberQuery('q1', 't1', 'alice');
    expect([a.queryOwner('q1'), a.queryUser('q1'), s.reads]).toEqual(['t1', 'alice', 0]);
    queries.set('q2', 't2'); // written by another replica, or before a restart
    expect(a.queryOwner('q2')).toBe('t2');
    expect(a.queryOwner('q2')).toBe('t2');
    expect(s.reads).toBe(1);
  });

  it('keeps answering from memory while the store fails, and writes what it missed once it works again', () => {
    const { s, repo, queries } = store();
    const a = new Affinity(repo, logger);
    s.broken = true;
    a.rememberQuery('q1', 't1');
    expect(a.queryOwner('q1')).toBe('t1');
    expect(a.pendingWrites()).toBe(1);
    expect(warnings.some((w) => w.includes('query affinity store failed'))).toBe(true);
    s.broken = false;
    a.retryPending();
    a.stop();
    expect([a.pendingWrites(), queries.get('q1')]).toEqual([0, 't1']);
  });

  it('remembers a transaction until it is cleared, and the user of a query from where it is kept', () => {
    const { repo } = store();
    const a = new Affinity(repo, logger, (q) => (q === 'old' ? 'bob' : undefined));
    a.rememberTransaction('tx', 't1');
    expect(a.transactionOwner('tx')).toBe('t1');
    a.forgetTransaction('tx');
    expect(a.transactionOwner('tx')).toBeUndefined();
    expect([a.queryUser('old'), a.queryUser('never')]).toEqual(['bob', undefined]);
  });
});
