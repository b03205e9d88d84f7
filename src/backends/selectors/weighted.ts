import type { Selector } from '../selector.js';

/**
 * weighted picks a backend with probability proportional to its weight (an integer ≥ 1 from config):
 * one pass sums the weights, a second walks the cumulative sum to a random point. O(n), no allocation.
 */
export function weighted(random: () => number = Math.random): Selector {
  return {
    select(pool) {
      if (pool.length === 0) return undefined;
      let total = 0;
      for (const b of pool) total += b.weight;
      let r = random() * total;
      for (const b of pool) {
        r -= b.weight;
        if (r < 0) return b;
      }
      return pool[pool.length - 1]; // only reached through rounding when random() is close to 1
    },
  };
}
