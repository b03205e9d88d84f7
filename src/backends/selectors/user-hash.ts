import type { Backend } from '../backend.js';
import type { Selector } from '../selector.js';

/** fnv1a is the 32-bit FNV-1a hash of a string's UTF-16 code units, from `seed`. Deterministic everywhere. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** fmix32 is murmur3's finalizer: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * userHash keeps a user on one backend with rendezvous (highest-random-weight) hashing: each backend scores
 * hash(user, backend name) and the highest score wins. While the pool is unchanged a user always lands on
 * the same backend; when a backend leaves, only the users it held move (everybody else's winner is still
 * in the pool), and a backend that joins takes about 1/n of the users. Scores depend only on names, not on
 * the pool's order, and no random seed is used, so every gateway process agrees. Weights are ignored.
 *
 * The name hashes are kept between calls while the pool holds the same backends in the same order (the
 * picker builds a new array per call, so the check compares elements), which leaves one multiply-mix per
 * backend per call.
 */
export function userHash(): Selector {
  let names: Backend[] = [];
  let hashes = new Uint32Array(0);
  const nameHashes = (pool: readonly Backend[]): Uint32Array => {
    let same = pool.length === names.length;
    for (let i = 0; same && i < pool.length; i++) same = pool[i] === names[i];
    if (!same) {
      names = pool.slice();
      hashes = new Uint32Array(pool.length);
      for (let i = 0; i < pool.length; i++) hashes[i] = fnv1a(pool[i].name);
    }
    return hashes;
  };
  return {
    select(pool, facts) {
      if (pool.length === 0) return undefined;
      const hs = nameHashes(pool);
      const u = fmix32(fnv1a(facts.user));
      let best = pool[0];
      let bestScore = fmix32(u ^ hs[0]);
      for (let i = 1; i < pool.length; i++) {
        const score = fmix32(u ^ hs[i]);
        // A tie needs equal name hashes; the name decides, so the pool's order never does.
        if (score > bestScore || (score === bestScore && pool[i].name < best.name)) {
          best = pool[i];
          bestScore = score;
        }
      }
      return best;
    },
  };
}
