import { Backend } from '../../src/backends/backend.js';
import type { Selector } from '../../src/backends/selector.js';

/** backend is a Backend of group g with a weight, for selection tests (no connection is ever made). */
export const backend = (name: string, weight = 1): Backend =>
  new Backend({ name, url: 'http://127.0.0.1:1', group: 'g', active: true, weight, catalogDriver: 'sql' }, 4);

/** pool is n backends b0..b(n-1), weighted by weight(i). */
export const pool = (n: number, weight: (i: number) => number = () => 1): Backend[] =>
  Array.from({ length: n }, (_, i) => backend(`b${i}`, weight(i)));

/** mulberry32: a seeded PRNG so distribution tests are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** counts picks n times (user(i) asking) and counts the picks per backend. */
export function counts(s: Selector, p: readonly Backend[], n: number, user = (i: number) => `u${i}`) {
  const c = new Map<string, number>(p.map((b) => [b.name, 0]));
  for (let i = 0; i < n; i++) {
    const b = s.select(p, { user: user(i) })!;
    c.set(b.name, c.get(b.name)! + 1);
  }
  return c;
}
