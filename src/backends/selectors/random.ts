import type { Selector } from '../selector.js';

/** randomPick picks a backend of the pool uniformly at random; `random` is injectable for tests. */
export function randomPick(random: () => number = Math.random): Selector {
  return {
    select(pool) {
      if (pool.length === 0) return undefined;
      return pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))];
    },
  };
}
