import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PeerChangeNotices, type ChangeArea, type ChangeNotices } from '../../src/cluster/change-notices.js';
import { soleLeader } from '../../src/cluster/leadership.js';
import type { PeerBus } from '../../src/cluster/peer-bus.js';
import { noPeers } from '../../src/cluster/peer-bus.js';
import type { Replica } from '../../src/cluster/replica.js';
import { sharedRevocations } from '../../src/cluster/shared-revocations.js';
import { SessionCodec, type RevocationStore } from '../../src/ui/session.js';
import { linkedBuses, tick } from '../helpers/linked-bus.js';

const replica = (
  bus: PeerBus,
  worker: number,
  notices: ChangeNotices = new PeerChangeNotices(bus),
): Replica => ({
  worker,
  bus,
  notices,
  leadership: soleLeader,
  ready() {},
});

describe('sharedRevocations', () => {
  it('a console logout on one worker ends the session on the other', async () => {
    const [a, b] = linkedBuses();
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
    await tick(); // announced once the save is written
    await tick();
    expect(two.read(value)).toBeUndefined();
    // The other's earlier logouts are not lost when this one saves.
    const other = two.issue('ops', 'hash');
    two.revoke(other.session);
    await tick();
    await tick();
    expect(Object.keys(JSON.parse(stored) as object).sort()).toEqual([session.sid, other.session.sid].sort());
  });

  it('saves through to the store and announces sessions after the save', async () => {
    const order: string[] = [];
    const notices: ChangeNotices = {
      announce: (area) => void order.push(`announce ${area}`),
      on: () => undefined,
    };
    const store: RevocationStore = { load: () => ({ s1: 1 }), save: () => void order.push('save') };
    const shared = sharedRevocations(store, replica(noPeers, 1, notices));
    expect(shared.load()).toEqual({ s1: 1 });
    shared.save({ s1: 1 });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['save', 'announce sessions']);
  });

  it('calls onChange for a sessions notice or a reload, not for other areas', () => {
    const notices = new EventEmitter<{ change: [ChangeArea]; reload: [] }>();
    const r = replica(noPeers, 1, Object.assign(notices, { announce() {} }));
    const shared = sharedRevocations({ load: () => ({}), save() {} }, r);
    let calls = 0;
    shared.onChange?.(() => calls++);
    notices.emit('change', 'users');
    notices.emit('change', 'backends');
    expect(calls).toBe(0);
    notices.emit('change', 'sessions');
    expect(calls).toBe(1);
    notices.emit('reload');
    expect(calls).toBe(2);
  });
});
