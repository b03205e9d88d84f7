import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSlotStore } from '../../src/queue/pg-slot-store.js';
import { MemorySlotStore, type SlotStore } from '../../src/queue/slot-store.js';
import { databaseSchema } from '../../src/config/schema.js';
import { openStore } from '../../src/store/open-store.js';
import { createTestDatabase } from '../db/pg-test-db.js';
import { pgFixture, type Fixture } from '../helpers/pg-slot-fixture.js';

function memoryFixture(): Fixture {
  return {
    name: 'memory',
    setUp: async () => undefined,
    tearDown: async () => undefined,
    fresh: async () => new MemorySlotStore(),
  };
}

const limits = { maxRunningPerBackend: 2, perUserMaxRunning: 3 };

describe.each([memoryFixture(), pgFixture()])('the $name slot store', (fx) => {
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  it('takes slots on a backend up to maxRunningPerBackend, and counts them', async () => {
    const s = await fx.fresh();
    expect(await s.take('g', 'b1', 'alice', limits)).toBe(true);
    expect(await s.take('g', 'b1', 'bob', limits)).toBe(true);
    expect(await s.take('g', 'b1', 'carol', limits)).toBe(false);
    expect(s.running('b1')).toBe(2);
    expect(await s.take('g', 'b2', 'carol', limits)).toBe(true);
    expect(s.running('b2')).toBe(1);
  });

  it('takes nothing when the user is at perUserMaxRunning, whatever backend', async () => {
    const s = await fx.fresh();
    for (const b of ['b1', 'b2', 'b3']) expect(await s.take('g', b, 'alice', limits)).toBe(true);
    expect(await s.take('g', 'b4', 'alice', limits)).toBe(false);
    expect(s.userRunning('g', 'alice')).toBe(3);
    expect(s.running('b4')).toBe(0);
    // Another group is another count.
    expect(await s.take('h', 'b4', 'alice', limits)).toBe(true);
  });

  it('gives a slot back, and never below zero', async () => {
    const s = await fx.fresh();
    await s.take('g', 'b1', 'alice', limits);
    await s.take('g', 'b1', 'bob', limits);
    await s.give('g', 'b1', 'alice');
    expect(s.running('b1')).toBe(1);
    expect(s.userRunning('g', 'alice')).toBe(0);
    expect(await s.take('g', 'b1', 'carol', limits)).toBe(true);
    await s.give('g', 'b1', 'dave'); // never took one: nothing changes below zero
    expect(s.userRunning('g', 'dave')).toBe(0);
  });

  it('counts a forced slot (a query taken back after a restart) whatever the limits', async () => {
    const s = await fx.fresh();
    await s.take('g', 'b1', 'alice', limits);
    await s.take('g', 'b1', 'alice', limits);
    await s.force('g', 'b1', 'alice');
    expect(s.running('b1')).toBe(3);
    expect(await s.take('g', 'b1', 'bob', limits)).toBe(false);
    await s.give('g', 'b1', 'alice');
    await s.give('g', 'b1', 'alice');
    expect(await s.take('g', 'b1', 'bob', limits)).toBe(true);
  });

  it('takes without limits when none is set', async () => {
    const s = await fx.fresh();
    for (let i = 0; i < 5; i++) expect(await s.take('g', 'b1', 'alice', {})).toBe(true);
    expect(s.running('b1')).toBe(5);
  });
});

describe('which slot store the queue gets', () => {
  it('is the PostgreSQL one on a PostgreSQL store (database.url), none (memory) on SQLite', async () => {
    const db = await createTestDatabase();
    try {
      const { store } = await openStore(databaseSchema.parse({ url: db.url }));
      expect(store.queueSlots?.()).toBeInstanceOf(PgSlotStore);
      await store.close();
      const { store: sqlite } = await openStore(databaseSchema.parse({ path: ':memory:' }));
      expect(sqlite.queueSlots).toBeUndefined();
      await sqlite.close();
    } finally {
      await db.drop();
    }
  });
});
