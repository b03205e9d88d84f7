import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/backends/backend.js';
import type { Selector } from '../../../src/backends/selector.js';
import { fnv1a, userHash } from '../../../src/backends/selectors/user-hash.js';
import { backend, pool } from '../../helpers/selector-pool.js';

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
