import { describe, expect, it } from 'vitest';
import { weighted } from '../../../src/backends/selectors/weighted.js';
import { counts, pool, seeded } from '../../helpers/selector-pool.js';

describe('weighted', () => {
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
});
