import { describe, expect, it } from 'vitest';
import { AdmissionQueue } from '../../src/queue/admission.js';
import { DriftCheck, type ClusterCount, type LiveQuery } from '../../src/queue/drift-check.js';
import { MemorySlotStore } from '../../src/queue/slot-store.js';

function setup() {
  const q = new AdmissionQueue<unknown>(
    new Map([['adhoc', { maxRunningPerBackend: 5, maxQueued: 10, maxQueuedMs: 1e6, clientTimeoutMs: 1e6 }]]),
    new MemorySlotStore(),
    () => ['b1'],
  );
  const live: LiveQuery[] = [];
  const counts = new Map<string, ClusterCount>();
  const check = new DriftCheck(q, {
    live: () => live,
    clusterCount: (b) => counts.get(b),
    groupOf: () => 'adhoc',
  });
  return { q, live, counts, check };
}
const settle = () => new Promise((r) => setImmediate(r));

describe('DriftCheck', () => {
  it('gives back a slot whose query the gateway no longer follows, and counts a followed query without one', async () => {
    const { q, live, check } = setup();
    const r = await q.admit('adhoc', 'a', 0, 'x', 1000);
    if (r.kind !== 'run') throw new Error('unexpected');
    q.bind(r.lease, 'ended_unseen');
    live.push({ queryId: 'adopted_after_restart', backend: 'b1', user: 'b' });
    expect(await check.run(2000)).toEqual({ released: 1, adopted: 1 });
    await settle();
    expect(q.store.running('b1')).toBe(1);
    expect(q.store.userRunning('adhoc', 'b')).toBe(1);
    expect(await check.run(3000)).toEqual({ released: 0, adopted: 0 });
  });

  it("gives back surplus slots the cluster's own count shows twice, the oldest first, never a slot not on a cluster yet", async () => {
    const { q, live, counts, check } = setup();
    const leases = [];
    for (let i = 0; i < 3; i++) {
      const r = await q.admit('adhoc', 'a', 0, i, 1000 + i);
      if (r.kind !== 'run') throw new Error('unexpected');
      q.bind(r.lease, `q${i}`);
      live.push({ queryId: `q${i}`, backend: 'b1', group: 'adhoc', user: 'a' });
      leases.push(r.lease);
    }
    const pending = await q.admit('adhoc', 'a', 0, 'in flight', 1500);
    if (pending.kind !== 'run') throw new Error('unexpected');
    counts.set('b1', { queries: 1, at: 5000 });
    expect((await check.run(5000)).released).toBe(0); // once could be a stats lag
    expect((await check.run(6000)).released).toBe(2);
    await settle();
    expect(q.store.running('b1')).toBe(2);
    expect(leases.map((l) => l.released)).toEqual([true, true, false]);
    expect(pending.lease.released).toBe(false);
  });

  it('leaves slots alone when the cluster count is not lower or is older than the slots', async () => {
    const { q, live, counts, check } = setup();
    const r = await q.admit('adhoc', 'a', 0, 1, 10_000);
    if (r.kind !== 'run') throw new Error('unexpected');
    q.bind(r.lease, 'q1');
    live.push({ queryId: 'q1', backend: 'b1', group: 'adhoc', user: 'a' });
    counts.set('b1', { queries: 0, at: 9_000 });
    await check.run(11_000);
    expect((await check.run(12_000)).released).toBe(0);
    expect(q.store.running('b1')).toBe(1);
  });
});
