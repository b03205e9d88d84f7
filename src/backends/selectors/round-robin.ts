import type { Selector } from '../selector.js';

/**
 * roundRobin rotates over the pool. The counter is taken modulo the pool's length at each call, so a pool
 * that grows or shrinks between calls is still walked in order (a change may skip or repeat one backend
 * once).
 */
export function roundRobin(): Selector {
  let next = 0;
  return {
    select(pool) {
      if (pool.length === 0) return undefined;
      const i = next % pool.length;
      next = i + 1; // stays below the pool's length + 1: never grows without bound
      return pool[i];
    },
  };
}
