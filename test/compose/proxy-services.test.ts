import { afterEach, describe, expect, it } from 'vitest';
import { buildTestServices, releaseServices } from '../helpers/built-services.js';

afterEach(releaseServices);

describe('buildProxyState', () => {
  it('builds the queue only when some group has one', async () => {
    expect((await buildTestServices([])).s.queue).toBeUndefined();
    const { s } = await buildTestServices([], {
      groups: [{ name: 'adhoc', queue: { maxRunningPerBackend: 2 } }],
    });
    expect(s.queue).toBeDefined();
    await s.queue!.open();
    expect(s.queue!.wouldWait('adhoc', 'alice')).toEqual({
      queued: true,
      reason: 'no backend of the group is available',
    });
  });

  it('signs query handles with server.affinitySecret, so replicas that share it read each other’s', async () => {
    const secret = 'a-shared-affinity-secret-of-some-length-0123';
    const a = (
      await buildTestServices([], { server: { host: '127.0.0.1', port: 0, affinitySecret: secret } })
    ).s;
    const b = (
      await buildTestServices([], { server: { host: '127.0.0.1', port: 0, affinitySecret: secret } })
    ).s;
    const other = (await buildTestServices([])).s;
    const handle = a.codec.encode('t1');
    expect(b.codec.decode(handle)).toBe('t1');
    expect(other.codec.decode(handle)).toBeUndefined();
  });

  it('binds a query memory forgot to the user its history row names', async () => {
    const { s } = await buildTestServices([]);
    await s.recorder.submitted({
      queryId: 'q-before-restart',
      user: 'alice',
      routingGroup: 'adhoc',
      backend: 't1',
      sql: 'SELECT 1',
      submittedAt: Date.now(),
      state: 'RUNNING',
    });
    await s.affinity.recall('q-before-restart'); // memory knows nothing after a restart: the store does
    expect(s.affinity.queryUser('q-before-restart')).toBe('alice');
    expect(s.affinity.queryUser('q-never-seen')).toBeUndefined();
  });
});
