import { describe, expect, it } from 'vitest';
import { UserBudgets } from '../../src/proxy/user-budgets.js';

describe("a user's budgets", () => {
  it('refuse a user at the live-query limit, saying to wait', () => {
    const b = new UserBudgets({ maxInFlightPerUser: 2, maxUnpolledPerUser: 10 });
    b.started('u');
    b.polled('u');
    expect(b.over('u')).toBeUndefined();
    b.started('u');
    b.polled('u');
    expect(b.over('u')).toMatch(/2 queries running .* \(limit 2\); wait/);
    expect(b.over('other')).toBeUndefined();
    b.ended('u', true);
    expect(b.over('u')).toBeUndefined();
  });

  it('refuse a user with too many never-polled queries, saying to poll or cancel them', () => {
    const b = new UserBudgets({ maxInFlightPerUser: 10, maxUnpolledPerUser: 1 });
    b.started('u');
    expect(b.over('u')).toMatch(/never polled .* \(limit 1\); poll or cancel/);
    b.polled('u');
    expect(b.usage('u')).toEqual({ inFlight: 1, unpolled: 0 });
    expect(b.over('u')).toBeUndefined();
  });

  it('take no memory for users with nothing live, and never go below zero', () => {
    const b = new UserBudgets({ maxInFlightPerUser: 1, maxUnpolledPerUser: 1 });
    b.started('u');
    b.ended('u', false);
    b.ended('u', false);
    b.polled('u');
    expect(b.usage('u')).toEqual({ inFlight: 0, unpolled: 0 });
    expect((b as unknown as { users: Map<string, unknown> }).users.size).toBe(0);
  });
});
