import { describe, expect, it } from 'vitest';
import { noNotices, PeerChangeNotices } from '../../src/cluster/change-notices.js';
import { linkedBuses, recordingBus, tick } from '../helpers/linked-bus.js';

describe('PeerChangeNotices', () => {
  it('a change notice names its area, and anything else on the topic is ignored', async () => {
    const [a, b] = linkedBuses();
    const heard: string[] = [];
    new PeerChangeNotices(b).on('change', (area) => heard.push(area));
    const sender = new PeerChangeNotices(a);
    sender.announce('backends');
    a.publish('change', 'no-such-area');
    a.publish('change', { area: 'users' });
    a.publish('change', null);
    sender.announce('rules');
    await tick();
    expect(heard).toEqual(['backends', 'rules']);
  });

  it('hears every area of the store, sessions included, and nothing on other topics', () => {
    const bus = recordingBus();
    const heard: string[] = [];
    new PeerChangeNotices(bus).on('change', (area) => heard.push(area));
    for (const area of ['backends', 'users', 'catalogs', 'rules', 'sessions']) bus.deliver('change', area);
    bus.deliver('login-failed', 'users');
    expect(heard).toEqual(['backends', 'users', 'catalogs', 'rules', 'sessions']);
  });

  it('announces on the change topic, not to itself', () => {
    const bus = recordingBus();
    const notices = new PeerChangeNotices(bus);
    const heard: string[] = [];
    notices.on('change', (area) => heard.push(area));
    notices.announce('users');
    expect(bus.sent).toEqual([['change', 'users']]);
    expect(heard).toEqual([]);
  });
});

describe('noNotices', () => {
  it('takes announcements and listeners and calls nobody', () => {
    let called = false;
    noNotices.on('change', () => (called = true));
    noNotices.on('reload', () => (called = true));
    noNotices.announce('backends');
    expect(called).toBe(false);
  });
});
