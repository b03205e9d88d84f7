import { describe, expect, it } from 'vitest';
import { Affinity } from '../../src/proxy/affinity.js';
import type { Logger } from '../../src/observability/logger.js';
import type { AffinityStore } from '../../src/store/ports.js';

/** A store that keeps rows in maps, and fails while `broken` is set (a locked file, PostgreSQL away). */
function store() {
  const queries = new Map<string, string>();
  const txns = new Map<string, string>();
  const s = { broken: false, reads: 0 };
  const check = async () => {
    if (s.broken) throw new Error('SQLITE_BUSY');
  };
  const repo: AffinityStore = {
    putQuery: async (q, b) => void (await check(), queries.set(q, b)),
    getQuery: async (q) => (s.reads++, await check(), queries.get(q)),
    putTransaction: async (t, b) => void (await check(), txns.set(t, b)),
    getTransaction: async (t) => (await check(), txns.get(t)),
    deleteTransaction: async (t) => void (await check(), txns.delete(t)),
    purgeBefore: async () => 0,
  };
  return { s, repo, queries, txns };
}
const warnings: string[] = [];
const logger = { warn: (_: unknown, m: string) => warnings.push(m) } as unknown as Logger;

describe('affinity', () => {
  it('answers from memory in steady state, and recalls a query memory does not know from the store once', async () => {
    const { s, repo, queries } = store();
    const a = new Affinity(repo, logger, async (q) => (q === 'q2' ? 'bob' : undefined));
    a.rememberQuery('q1', 't1', 'alice');
    expect([a.knows('q1'), a.queryOwner('q1'), a.queryUser('q1'), s.reads]).toEqual([true, 't1', 'alice', 0]);
    queries.set('q2', 't2'); // written by another replica, or before a restart
    expect([a.knows('q2'), a.queryOwner('q2')]).toEqual([false, undefined]);
    await a.recall('q2');
    expect([a.knows('q2'), a.queryOwner('q2'), a.queryUser('q2')]).toEqual([true, 't2', 'bob']);
    await a.recall('q2');
    expect(s.reads).toBe(1);
  });

  it('keeps answering from memory while the store fails, and writes what it missed once it works again', async () => {
    const { s, repo, queries } = store();
    const a = new Affinity(repo, logger);
    s.broken = true;
    a.rememberQuery('q1', 't1');
    expect(a.queryOwner('q1')).toBe('t1');
    await expect.poll(() => a.pendingWrites()).toBe(1);
    expect(warnings.some((w) => w.includes('query affinity store failed'))).toBe(true);
    a.rememberQuery('q2', 't2'); // queued behind the failure, not sent
    expect(a.pendingWrites()).toBe(2);
    s.broken = false;
    await a.retryPending();
    a.stop();
    expect([a.pendingWrites(), queries.get('q1'), queries.get('q2')]).toEqual([0, 't1', 't2']);
  });

  it('a store that fails on recall leaves the query unknown (a 404 for its follow-up, never a guess)', async () => {
    const { s, repo, queries } = store();
    queries.set('q', 't1');
    const a = new Affinity(repo, logger);
    s.broken = true;
    await a.recall('q');
    expect(a.queryOwner('q')).toBeUndefined();
  });

  it('remembers a transaction until it is cleared, recalls a stored one, and the user of a query from where it is kept', async () => {
    const { repo, txns } = store();
    const a = new Affinity(repo, logger, async (q) => (q === 'old' ? 'bob' : undefined));
    a.rememberTransaction('tx', 't1');
    expect(a.transactionOwner('tx')).toBe('t1');
    a.forgetTransaction('tx');
    expect(a.transactionOwner('tx')).toBeUndefined();
    await expect.poll(() => txns.has('tx')).toBe(false);
    txns.set('tx2', 't2');
    await a.recallTransaction('tx2');
    expect(a.transactionOwner('tx2')).toBe('t2');
    await Promise.all([a.recall('old'), a.recall('never')]);
    expect([a.queryUser('old'), a.queryUser('never')]).toEqual(['bob', undefined]);
  });
});
