import { afterEach, describe, expect, it } from 'vitest';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { PeerChangeNotices } from '../../src/cluster/change-notices.js';
import { soleLeader } from '../../src/cluster/leadership.js';
import type { Replica } from '../../src/cluster/replica.js';
import { syncReplica } from '../../src/cluster/replica-sync.js';
import type { Services } from '../../src/compose/services.js';
import type { BackendStore } from '../../src/store/ports.js';
import { buildTestServices, releaseServices } from '../helpers/built-services.js';
import { recordingBus } from '../helpers/linked-bus.js';

afterEach(releaseServices);

const record = (name: string): BackendRecord => ({
  name,
  url: 'http://127.0.0.1:1',
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql',
});

/** until polls cond (a reload runs after a notice, asynchronously) with a generous deadline. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** synced builds a gateway's services on a worker's side of a recording relay and syncs them. */
async function synced(backends = [{ name: 'one', url: 'http://127.0.0.1:1' }]) {
  const built = await buildTestServices(backends);
  const bus = recordingBus();
  const notices = new PeerChangeNotices(bus);
  const replica: Replica = { worker: 1, bus, notices, leadership: soleLeader, ready() {} };
  let failing = false;
  const backendsStore: BackendStore = Object.create(built.s.store.backends) as BackendStore;
  backendsStore.listBackends = () =>
    failing ? Promise.reject(new Error('the store is gone')) : built.s.store.backends.listBackends();
  const s: Services = { ...built.s, replica, store: { ...built.s.store, backends: backendsStore } };
  syncReplica(s);
  return { ...built, s, bus, notices, fail: (v: boolean) => (failing = v) };
}

describe('syncReplica', () => {
  it('announces a backend change and a user change committed here', async () => {
    const { s, bus } = await synced();
    await s.registry.setActive('one', false);
    expect(bus.sent).toEqual([['change', 'backends']]);
    await s.users.put({ name: 'carol', passwordHash: 'x', groups: [], roles: [] });
    expect(bus.sent.at(-1)).toEqual(['change', 'users']);
  });

  it('reloads the backends from the store when another worker changed them', async () => {
    const { s, bus } = await synced();
    await s.store.backends.upsertBackend(record('two'));
    expect(s.registry.get('two')).toBeUndefined();
    bus.deliver('change', 'backends');
    await until(() => s.registry.get('two') !== undefined, 'backend two');
    // Reloading is not a change made here: nothing is announced back.
    expect(bus.sent).toEqual([]);
  });

  it('reloads the users on a users notice', async () => {
    const { s, bus } = await synced();
    await s.store.users.upsert({ name: 'dave', passwordHash: 'x', groups: [], roles: [] });
    bus.deliver('change', 'users');
    await until(() => s.users.get('dave') !== undefined, 'user dave');
  });

  it('logs a reload that fails, keeps the last state, and tries again on the next notice', async () => {
    const { s, bus, lines, fail } = await synced();
    await s.store.backends.upsertBackend(record('two'));
    fail(true);
    bus.deliver('change', 'backends');
    const warned = () =>
      lines().find((l) => l.msg === 'cannot reload a change another worker made' && l.area === 'backends');
    await until(() => warned() !== undefined, 'the warning');
    expect(warned()?.err).toBe('the store is gone');
    expect(s.registry.get('one')).toBeDefined();
    expect(s.registry.get('two')).toBeUndefined();
    fail(false);
    bus.deliver('change', 'backends');
    await until(() => s.registry.get('two') !== undefined, 'backend two after the retry');
  });

  it('reloads every area on a reload (changes may have been missed)', async () => {
    const { s, notices } = await synced();
    await s.store.backends.upsertBackend(record('two'));
    await s.store.users.upsert({ name: 'dave', passwordHash: 'x', groups: [], roles: [] });
    notices.emit('reload');
    await until(() => s.registry.get('two') !== undefined && s.users.get('dave') !== undefined, 'both');
  });
});
