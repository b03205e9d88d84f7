import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { SharedFailureLimiter } from '../../src/cluster/shared-limiter.js';
import { linkedBuses, recordingBus, tick } from '../helpers/linked-bus.js';

const o = { maxFailures: 3, windowSeconds: 60, blockSeconds: 60 };

describe('SharedFailureLimiter', () => {
  it('failed logins counted by one worker block on the other', async () => {
    const [a, b] = linkedBuses();
    const one = new SharedFailureLimiter(o, a);
    const two = new SharedFailureLimiter(o, b);
    one.fail(one.attempt('10.0.0.1', 'alice'));
    two.fail(two.attempt('10.0.0.1', 'alice'));
    one.fail(one.attempt('10.0.0.1', 'alice'));
    await tick();
    expect(two.blockedFor('10.0.0.1', 'alice')).toBeGreaterThan(0);
    expect(one.blockedFor('10.0.0.1', 'alice')).toBeGreaterThan(0);
    // Another user at that address is not blocked by alice's failures.
    expect(two.blockedFor('10.0.0.1', 'bob')).toBe(0);
    // Alone, three failures spread this way block nobody.
    const alone = new FailureLimiter(o);
    alone.fail(alone.attempt('10.0.0.1', 'alice'));
    alone.fail(alone.attempt('10.0.0.1', 'alice'));
    expect(alone.blockedFor('10.0.0.1', 'alice')).toBe(0);
  });

  it('publishes each failure as its keys (an IPv6 address as its /64)', () => {
    const bus = recordingBus();
    const l = new SharedFailureLimiter(o, bus);
    l.fail(l.attempt('2001:db8:1:2:3:4:5:6', 'alice'));
    expect(bus.sent).toEqual([['login-failed', ['2001:db8:1:2::/64', 'alice']]]);
  });

  it('does not announce what it heard from a peer again', () => {
    const bus = recordingBus();
    const l = new SharedFailureLimiter(o, bus);
    bus.deliver('login-failed', ['10.0.0.1', 'alice']);
    expect(bus.sent).toEqual([]);
  });

  it('ignores malformed or oversized failure messages', () => {
    const bus = recordingBus();
    const l = new SharedFailureLimiter(o, bus);
    const long = 'x'.repeat(257);
    for (let i = 0; i < 5; i++) {
      for (const d of [
        ['10.0.0.1'],
        ['10.0.0.1', 'alice', 'extra'],
        ['10.0.0.1', 7],
        [long, 'alice'],
        ['10.0.0.1', long],
        { address: '10.0.0.1', user: 'alice' },
        null,
      ]) {
        bus.deliver('login-failed', d);
      }
    }
    expect(l.blockedFor('10.0.0.1', 'alice')).toBe(0);
    // A well-formed message, by contrast, counts.
    for (let i = 0; i < 3; i++) bus.deliver('login-failed', ['10.0.0.1', 'alice']);
    expect(l.blockedFor('10.0.0.1', 'alice')).toBeGreaterThan(0);
  });
});
