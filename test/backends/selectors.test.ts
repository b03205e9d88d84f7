import { describe, expect, it } from 'vitest';
import { Backend } from '../../src/backends/backend.js';
import type { Selector } from '../../src/backends/selector.js';
import { createSelector, SELECTORS } from '../../src/backends/selectors/index.js';
import { randomPick } from '../../src/backends/selectors/random.js';
import { roundRobin } from '../../src/backends/selectors/round-robin.js';
import { fnv1a, userHash } from '../../src/backends/selectors/user-hash.js';
import { weighted } from '../../src/backends/selectors/weighted.js';

const backend = (name: string, weight = 1): Backend =>
  new Backend({ name, url: 'http://127.0.0.1:1', group: 'g', active: true, weight, catalogDriver: 'sql' }, 4);

const pool = (n: number, weight: (i: number) => number = () => 1): Backend[] =>
  Array.from({ length: n }, (_, i) => backend(`b${i}`, weight(i)));

/** mulberry32: a seeded PRNG so distribution tests are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function counts(s: Selector, p: readonly Backend[], n: number, user = (i: number) => `u${i}`) {
  const c = new Map<string, number>(p.map((b) => [b.name, 0]));
  for (let i = 0; i < n; i++) {
    const b = s.select(p, { user: user(i) })!;
    c.set(b.name, c.get(b.name)! + 1);
  }
  return c;
}

describe('selection policies', () => {
  it('every registered policy returns undefined for an empty pool', () => {
    for (const name of Object.keys(SELECTORS))
      expect(createSelector(name).select([], { user: 'alice' }), name).toBeUndefined();
    expect(Object.keys(SELECTORS).sort()).toEqual(
      ['least-loaded', 'random', 'round-robin', 'user-hash', 'weighted'].sort(),
    );
  });

  it('createSelector rejects an unknown policy, naming the known ones', () => {
    expect(() => createSelector('nope')).toThrow(
      /unknown selection policy "nope".*least-loaded, round-robin, random, weighted, user-hash/,
    );
    expect(() => createSelector('toString')).toThrow(/unknown selection policy/);
  });

  it('round-robin cycles through the pool in order and follows a pool that changes', () => {
    const p = pool(3);
    const s = roundRobin();
    const names = Array.from({ length: 7 }, () => s.select(p, { user: 'x' })!.name);
    expect(names).toEqual(['b0', 'b1', 'b2', 'b0', 'b1', 'b2', 'b0']);
    // b1 leaves: the counter is reduced modulo the new length and keeps rotating over what is left.
    const q = [p[0]!, p[2]!];
    const after = Array.from({ length: 4 }, () => s.select(q, { user: 'x' })!.name);
    expect(after).toEqual(['b2', 'b0', 'b2', 'b0']);
    expect(roundRobin().select([p[1]!], { user: 'x' })).toBe(p[1]);
  });

  it('random is roughly uniform (30k picks, each within ±5% of its share)', () => {
    const p = pool(5);
    const c = counts(randomPick(seeded(42)), p, 30_000);
    for (const [name, n] of c) expect(Math.abs(n / 6000 - 1), name).toBeLessThan(0.05);
  });

  it('random with random() close to 1 still returns a pool member', () => {
    const p = pool(4);
    expect(randomPick(() => 0.9999999999999999).select(p, { user: 'x' })).toBe(p[3]);
    expect(randomPick(() => 0).select(p, { user: 'x' })).toBe(p[0]);
  });

  it('weighted picks in proportion to weight (within ±5%)', () => {
    const p = pool(4, (i) => [1, 2, 3, 10][i]!); // total 16
    const c = counts(weighted(seeded(7)), p, 64_000);
    const expected = { b0: 4000, b1: 8000, b2: 12_000, b3: 40_000 };
    for (const [name, n] of c)
      expect(Math.abs(n / expected[name as keyof typeof expected] - 1), name).toBeLessThan(0.05);
  });

  it('weighted walks the cumulative sum exactly', () => {
    const p = pool(3, (i) => [1, 2, 1][i]!); // cumulative 1, 3, 4 of 4
    const at = (r: number) => weighted(() => r).select(p, { user: 'x' })!.name;
    expect([at(0), at(0.24), at(0.25), at(0.74), at(0.75), at(0.9999999999999999)]).toEqual([
      'b0',
      'b0',
      'b1',
      'b1',
      'b2',
      'b2',
    ]);
  });

  describe('user-hash', () => {
    const users = Array.from({ length: 20_000 }, (_, i) => `user-${i}@example.com`);
    const assign = (s: Selector, p: readonly Backend[]) =>
      new Map(users.map((u) => [u, s.select(p, { user: u })!.name]));

    it('keeps a user on the same backend, whatever the pool order or the selector instance', () => {
      const p = pool(10);
      const a = assign(userHash(), p);
      const b = assign(userHash(), [...p].reverse());
      const s = userHash();
      assign(s, p);
      expect(assign(s, p)).toEqual(a);
      expect(b).toEqual(a);
    });

    it('hashes with standard FNV-1a 32-bit', () => {
      expect([fnv1a(''), fnv1a('a'), fnv1a('foobar')]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
    });

    it('is deterministic across processes (pinned assignments)', () => {
      const p = pool(10);
      const s = userHash();
      const got = ['alice', 'bob', 'carol', 'dave', 'eve'].map((u) => s.select(p, { user: u })!.name);
      expect(got).toMatchInlineSnapshot(`
        [
          "b9",
          "b4",
          "b2",
          "b5",
          "b9",
        ]
      `);
    });

    it('spreads users across backends (each within ±5% of its share)', () => {
      const p = pool(10);
      const c = new Map<string, number>();
      for (const name of assign(userHash(), p).values()) c.set(name, (c.get(name) ?? 0) + 1);
      expect(c.size).toBe(10);
      for (const [name, n] of c) expect(Math.abs(n / 2000 - 1), name).toBeLessThan(0.05);
    });

    it('when one backend leaves, only its users move', () => {
      const p = pool(10);
      const s = userHash();
      const before = assign(s, p);
      const after = assign(
        s,
        p.filter((b) => b.name !== 'b3'),
      );
      let moved = 0;
      for (const u of users) {
        if (before.get(u) === 'b3') {
          moved++;
          expect(after.get(u)).not.toBe('b3');
        } else expect(after.get(u), u).toBe(before.get(u));
      }
      expect(moved).toBeGreaterThan(1500); // b3 held about a tenth of the users, and they all moved
      // b3 coming back takes exactly its users back.
      expect(assign(s, p)).toEqual(before);
    });

    it('when a backend joins, it takes about 1/n of the users and nobody else moves', () => {
      const p = pool(10);
      const s = userHash();
      const before = assign(s, p);
      const after = assign(s, [...p, backend('b10')]);
      let moved = 0;
      for (const u of users)
        if (after.get(u) !== before.get(u)) {
          moved++;
          expect(after.get(u)).toBe('b10');
        }
      expect(Math.abs(moved / (users.length / 11) - 1)).toBeLessThan(0.1);
    });
  });
});

describe('least-loaded', () => {
  it("counts in-flight queries, submissions awaiting an answer and the cluster's own queued and running", () => {
    const [a, b, c] = pool(3);
    const s = createSelector('least-loaded');
    a!.inFlight = 2;
    b!.submitting = 1;
    c!.stats = { runningQueries: 1, queuedQueries: 1, blockedQueries: 5, updatedAt: 0 };
    expect(s.select([a!, b!, c!], { user: 'x' })).toBe(b);
    b!.submitting = 3; // a burst of picks is counted before any of them is answered
    expect(s.select([a!, b!, c!], { user: 'x' })).not.toBe(b);
  });
});
