import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionQueue } from '../../src/queue/admission.js';
import { PgSlotStore } from '../../src/queue/pg-slot-store.js';
import { pgFixture } from '../helpers/pg-slot-fixture.js';

/** What only the PostgreSQL slot store does: share the counts between replicas, with leases. */
describe('the PostgreSQL slot store shared by replicas', () => {
  const fx = pgFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  const total = async (key: string) =>
    (
      await fx
        .pool()
        .query<{ running: number }>(`SELECT running FROM queue_slots WHERE key = $1 AND replica = '*'`, [key])
    ).rows[0]?.running ?? 0;

  it('never admits more than the limit: two replicas, 200 concurrent takes', async () => {
    await fx.fresh();
    const a = new PgSlotStore(fx.pool(), { replica: 'a' });
    const b = new PgSlotStore(fx.pool(), { replica: 'b' });
    const max = { maxRunningPerBackend: 10 };
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).take('g', 'b1', `u${i % 7}`, max)),
    );
    expect(results.filter(Boolean).length).toBe(10);
    expect(await total('b:b1')).toBe(10);
    // Each replica's shares add up to the total.
    const shares = await fx
      .pool()
      .query<{ n: number }>(
        `SELECT sum(running)::int AS n FROM queue_slots WHERE key = 'b:b1' AND replica <> '*'`,
      );
    expect(shares.rows[0]!.n).toBe(10);
  });

  it("keeps two replicas' admission queues within the limit under 200 concurrent submissions", async () => {
    await fx.fresh();
    const cfg = { maxRunningPerBackend: 3, maxQueued: 1000, maxQueuedMs: 60_000, clientTimeoutMs: 60_000 };
    const replica = (name: string) =>
      new AdmissionQueue<string>(
        new Map([['adhoc', cfg]]),
        new PgSlotStore(fx.pool(), { replica: name }),
        (_g, _u, exclude) => ['b1', 'b2'].filter((b) => !exclude.has(b)),
      );
    const [a, b] = [replica('a'), replica('b')];
    const all = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).admit('adhoc', `u${i % 7}`, 0, String(i))),
    );
    expect(all.filter((x) => x.kind === 'run')).toHaveLength(6);
    expect((await total('b:b1')) + (await total('b:b2'))).toBe(6);
  });

  it("sees another replica's freed slot at its next heartbeat", async () => {
    await fx.fresh();
    const a = new PgSlotStore(fx.pool(), { replica: 'a' });
    const b = new PgSlotStore(fx.pool(), { replica: 'b' });
    const max = { maxRunningPerBackend: 1 };
    expect(await a.take('g', 'b1', 'alice', max)).toBe(true);
    expect(await b.take('g', 'b1', 'bob', max)).toBe(false);
    expect(b.running('b1')).toBe(1);
    await a.give('g', 'b1', 'alice');
    let refreshed = 0;
    b.onRefresh = () => refreshed++;
    await b.heartbeat();
    expect([refreshed, b.running('b1')]).toEqual([1, 0]);
    expect(await b.take('g', 'b1', 'bob', max)).toBe(true);
  });

  it("gives back a dead replica's slots once its lease ran out, and only once", async () => {
    await fx.fresh();
    let now = 1_000_000;
    const clock = () => now;
    const dead = new PgSlotStore(fx.pool(), { replica: 'dead', leaseMs: 10_000, now: clock });
    const alive = new PgSlotStore(fx.pool(), { replica: 'alive', leaseMs: 10_000, now: clock });
    const max = { maxRunningPerBackend: 2, perUserMaxRunning: 5 };
    expect(await dead.take('g', 'b1', 'alice', max)).toBe(true);
    expect(await dead.take('g', 'b1', 'alice', max)).toBe(true);
    expect(await alive.take('g', 'b1', 'bob', max)).toBe(false);
    now += 5_000;
    expect(await alive.heartbeat()).toBe(0); // the lease still runs
    now += 10_000;
    expect(await alive.heartbeat()).toBe(4); // two backend slots and two user slots
    expect(await total('b:b1')).toBe(0);
    expect(await total('u:["g","alice"]')).toBe(0);
    expect(await alive.take('g', 'b1', 'bob', max)).toBe(true);
    // The replica was only slow: its late give finds no share and gives nothing twice.
    await dead.give('g', 'b1', 'alice');
    expect(await total('b:b1')).toBe(1);
  });

  it("keeps a live replica's slots: its heartbeat renews the lease", async () => {
    await fx.fresh();
    let now = 2_000_000;
    const clock = () => now;
    const a = new PgSlotStore(fx.pool(), { replica: 'a', leaseMs: 10_000, now: clock });
    const b = new PgSlotStore(fx.pool(), { replica: 'b', leaseMs: 10_000, now: clock });
    await a.take('g', 'b1', 'alice', {});
    for (let i = 0; i < 3; i++) {
      now += 8_000;
      await a.heartbeat();
      expect(await b.heartbeat()).toBe(0);
    }
    expect(await total('b:b1')).toBe(1);
  });
});
