import { describe, expect, it } from 'vitest';
import { createSelector, SELECTORS } from '../../../src/backends/selectors/index.js';

describe('selection policies by name', () => {
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
});
