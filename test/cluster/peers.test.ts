import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { PeerChangeNotices } from '../../src/cluster/change-notices.js';
import { soleLeader } from '../../src/cluster/leadership.js';
import type { PeerBus } from '../../src/cluster/peer-bus.js';
import type { Replica } from '../../src/cluster/replica.js';
import { SharedFailureLimiter } from '../../src/cluster/shared-limiter.js';
import { sharedRevocations } from '../../src/cluster/shared-revocations.js';
import { SessionCodec, type RevocationStore } from '../../src/ui/session.js';

/**
 * Two workers' buses joined as the primary's relay joins them: what one publishes reaches the other
 * (never itself), as JSON, asynchronously.
 */
function linked(): [PeerBus, PeerBus] {
  const subs = [
    new Map<string, Array<(d: unknown) => void>>(),
    new Map<string, Array<(d: unknown) => void>>(),
  ];
  const bus = (me: number): PeerBus => ({
    publish(topic, data) {
      const copy = JSON.parse(JSON.stringify(data)) as unknown;
      setImmediate(() => (subs[1 - me].get(topic) ?? []).forEach((fn) => fn(copy)));
    },
    subscribe(topic, fn) {
      subs[me].set(topic, [...(subs[me].get(topic) ?? []), fn]);
    },
  });
  return [bus(0), bus(1)];
}

const replica = (bus: PeerBus, worker: number): Replica => ({
  worker,
  bus,
  notices: new PeerChangeNotices(bus),
  leadership: soleLeader,
  ready() {},
});

const tick = () => new Promise((r) => setImmediate(r));

describe('what workers share', () => {
  it('a console logout on one worker ends the session on the other', async () => {
    const [a, b] = linked();
    let stored = '{}';
    const store: RevocationStore = {
      load: () => JSON.parse(stored) as Record<string, number>,
      save: (r) => void (stored = JSON.stringify(r)),
    };
    const secret = 'a-console-session-secret-0123456789';
    const one = new SessionCodec(secret, 3_600_000, Date.now, sharedRevocations(store, replica(a, 1)));
    const two = new SessionCodec(secret, 3_600_000, Date.now, sharedRevocations(store, replica(b, 2)));
    const { value, session } = one.issue('ops', 'hash');
    expect(two.read(value)?.user).toBe('ops');
    one.revoke(session);
    await tick();
    expect(two.read(value)).toBeUndefined();
    // The other's earlier logouts are not lost when this one saves.
    const other = two.issue('ops', 'hash');
    two.revoke(other.session);
    await tick();
    expect(Object.keys(JSON.parse(stored) as object).sort()).toEqual([session.sid, other.session.sid].sort());
  });

  it('failed logins counted by one worker block on the other', async () => {
    const [a, b] = linked();
    const o = { maxFailures: 3, windowSeconds: 60, blockSeconds: 60 };
    const one = new SharedFailureLimiter(o, a);
    const two = new SharedFailureLimiter(o, b);
    one.fail(one.attempt('10.0.0.1', 'alice'));
    two.fail(two.attempt('10.0.0.1', 'alice'));
    one.fail(one.attempt('10.0.0.1', 'alice'));
    await tick();
    expect(two.blockedFor('10.0.0.1', 'alice')).toBeGreaterThan(0);
    expect(one.blockedFor('10.0.0.1', 'alice')).toBeGreaterThan(0);
    // Alone, three failures spread this way block nobody.
    const alone = new FailureLimiter(o);
    alone.fail(alone.attempt('10.0.0.1', 'alice'));
    alone.fail(alone.attempt('10.0.0.1', 'alice'));
    expect(alone.blockedFor('10.0.0.1', 'alice')).toBe(0);
  });

  it('a change notice names its area, and anything else on the topic is ignored', async () => {
    const [a, b] = linked();
    const heard: string[] = [];
    new PeerChangeNotices(b).on('change', (area) => heard.push(area));
    const sender = new PeerChangeNotices(a);
    sender.announce('backends');
    a.publish('change', 'no-such-area');
    a.publish('change', { area: 'users' });
    sender.announce('rules');
    await tick();
    expect(heard).toEqual(['backends', 'rules']);
  });
});
