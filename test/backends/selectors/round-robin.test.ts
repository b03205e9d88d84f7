import { describe, expect, it } from 'vitest';
import { roundRobin } from '../../../src/backends/selectors/round-robin.js';
import { pool } from '../../helpers/selector-pool.js';

describe('round-robin', () => {
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

  it('returns undefined for an empty pool', () => {
    expect(roundRobin().select([], { user: 'x' })).toBeUndefined();
  });
});
