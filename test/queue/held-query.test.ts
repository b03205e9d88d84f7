import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeldQuery } from '../../src/queue/held-query.js';

const held = () => new HeldQuery('q1', 'yslug', 'etl', 'alice', 2, 5_000, { sql: 'SELECT 1' });

describe('HeldQuery', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('starts waiting, at token 1, last polled when it was enqueued', () => {
    const q = held();
    expect(q).toMatchObject({
      id: 'q1',
      slug: 'yslug',
      group: 'etl',
      user: 'alice',
      priority: 2,
      enqueuedAt: 5_000,
      lastPoll: 5_000,
      state: 'waiting',
      token: 1,
      removed: false,
      payload: { sql: 'SELECT 1' },
    });
    expect(q.lease).toBeUndefined();
    expect(q.refusedBy.size).toBe(0);
  });

  it('until wakes every waiting poll when the state changes, before its time is up', async () => {
    const q = held();
    const woken: string[] = [];
    const a = q.until(60_000).then(() => woken.push('a'));
    const b = q.until(60_000).then(() => woken.push('b'));
    await Promise.resolve();
    expect(woken).toEqual([]);
    q.changed('ready');
    await Promise.all([a, b]);
    expect(woken.sort()).toEqual(['a', 'b']);
    expect(q.state).toBe('ready');
    // No timer is left behind by a poll that was woken.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('until resolves after its time while the query still waits, and forgets that poll', async () => {
    const q = held();
    let done = false;
    const p = q.until(1_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    expect(q.state).toBe('waiting');
    // The timed-out poll is no longer among the waiters (a query polled for an hour keeps no callback per
    // poll): read through a cast, as nothing else shows the list.
    expect((q as unknown as { waiters: unknown[] }).waiters).toHaveLength(0);
    let later = false;
    const p2 = q.until(1_000).then(() => (later = true));
    q.changed('failed');
    await p2;
    expect(later).toBe(true);
  });

  it('until resolves at once when the query no longer waits', async () => {
    const q = held();
    q.changed('started');
    await q.until(60_000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
