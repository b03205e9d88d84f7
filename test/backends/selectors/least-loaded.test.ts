import { describe, expect, it } from 'vitest';
import { createSelector } from '../../../src/backends/selectors/index.js';
import { pool } from '../../helpers/selector-pool.js';

describe('least-loaded', () => {
  it("counts in-flight queries, submissions awaiting an answer and the cluster's own queued and running", () => {
    const [a, b, c] = pool(3);
    const s = createSelector('least-loaded');
    a!.inFlight = 2;
    b!.submitting = 1;
    c!.stats = { runningQueries: 1, queuedQueries: 1, blockedQueries: 5, updatedAt: 0 };
    expect(s.select([a!, b!, c!], { user: 'x' })).toBe(b);
    b!.submitting = 3; // a burst of picks is counted before any of them is answered
    expect(s.select([a!, b!, c!], { user: 'x' })).not.toBe(b);
  });
});
