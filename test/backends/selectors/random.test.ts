import { describe, expect, it } from 'vitest';
import { randomPick } from '../../../src/backends/selectors/random.js';
import { counts, pool, seeded } from '../../helpers/selector-pool.js';

describe('random', () => {
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
});
