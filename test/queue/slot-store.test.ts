import { describe, expect, it } from 'vitest';
import { MemorySlotStore } from '../../src/queue/slot-store.js';

describe('MemorySlotStore', () => {
  it('takes slots up to the per-backend limit, and counts per backend', async () => {
    const s = new MemorySlotStore();
    const lim = { maxRunningPerBackend: 2 };
    expect(await s.take('g', 'b1', 'u1', lim)).toBe(true);
    expect(await s.take('g', 'b1', 'u2', lim)).toBe(true);
    expect(await s.take('g', 'b1', 'u3', lim)).toBe(false);
    expect(await s.take('g', 'b2', 'u3', lim)).toBe(true);
    expect([s.running('b1'), s.running('b2'), s.running('b3')]).toEqual([2, 1, 0]);
  });

  it("takes slots up to the per-user limit within the group, other groups' counts apart", async () => {
    const s = new MemorySlotStore();
    const lim = { perUserMaxRunning: 1 };
    expect(await s.take('g', 'b1', 'alice', lim)).toBe(true);
    expect(await s.take('g', 'b2', 'alice', lim)).toBe(false);
    expect(await s.take('h', 'b2', 'alice', lim)).toBe(true);
    expect(await s.take('g', 'b2', 'bob', lim)).toBe(true);
    expect([s.userRunning('g', 'alice'), s.userRunning('h', 'alice'), s.userRunning('g', 'bob')]).toEqual([
      1, 1, 1,
    ]);
  });

  it('counts nothing when either limit refuses', async () => {
    const s = new MemorySlotStore();
    await s.take('g', 'b', 'alice', {});
    expect(await s.take('g', 'b', 'alice', { maxRunningPerBackend: 5, perUserMaxRunning: 1 })).toBe(false);
    expect(await s.take('g', 'b', 'bob', { maxRunningPerBackend: 1, perUserMaxRunning: 5 })).toBe(false);
    expect(s.running('b')).toBe(1);
    expect(s.userRunning('g', 'bob')).toBe(0);
  });

  it('has no limit for an undefined one', () => {
    const s = new MemorySlotStore();
    for (let i = 0; i < 1000; i++) expect(s.takeNow('g', 'b', 'u', {})).toBe(true);
    expect(s.running('b')).toBe(1000);
  });

  it('force counts past the limits; give returns a slot, never below zero', async () => {
    const s = new MemorySlotStore();
    const lim = { maxRunningPerBackend: 1, perUserMaxRunning: 1 };
    await s.take('g', 'b', 'u', lim);
    await s.force('g', 'b', 'u');
    expect([s.running('b'), s.userRunning('g', 'u')]).toEqual([2, 2]);
    await s.give('g', 'b', 'u');
    expect(await s.take('g', 'b', 'u', lim)).toBe(false);
    await s.give('g', 'b', 'u');
    expect(await s.take('g', 'b', 'u', lim)).toBe(true);
    for (let i = 0; i < 3; i++) await s.give('g', 'b', 'u');
    expect([s.running('b'), s.userRunning('g', 'u')]).toEqual([0, 0]);
    expect(await s.take('g', 'b', 'u', lim)).toBe(true);
    expect(s.running('b')).toBe(1);
  });

  it('keys a user’s count by group and user, so no two pairs share a count', async () => {
    const s = new MemorySlotStore();
    await s.take('a', 'b', 'x', {});
    expect(s.userRunning('a', 'x')).toBe(1);
    expect(s.userRunning('ax', '')).toBe(0);
  });
});
