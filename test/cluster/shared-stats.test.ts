import { describe, expect, it } from 'vitest';
import type { Backend, BackendStats } from '../../src/backends/backend.js';
import { noNotices } from '../../src/cluster/change-notices.js';
import type { Leadership } from '../../src/cluster/leadership.js';
import { noPeers, type PeerBus } from '../../src/cluster/peer-bus.js';
import { soleReplica, type Replica } from '../../src/cluster/replica.js';
import { sharedStats } from '../../src/cluster/shared-stats.js';
import type { StatsSource } from '../../src/health/probes.js';
import { recordingBus } from '../helpers/linked-bus.js';

const b = (name: string) => ({ name }) as Backend;
const signal = new AbortController().signal;
const stats = (updatedAt = Date.now()): BackendStats => ({
  runningQueries: 2,
  queuedQueries: 1,
  blockedQueries: 0,
  updatedAt,
});

function replica(bus: PeerBus, leading: boolean): Replica {
  const leadership: Leadership = { isLeader: () => leading, on: () => undefined };
  return { worker: 1, bus, notices: noNotices, leadership, ready() {} };
}

function reader(answer: BackendStats | undefined) {
  const reads: string[] = [];
  const source: StatsSource = { read: (x) => (reads.push(x.name), Promise.resolve(answer)) };
  return { reads, source };
}

describe('sharedStats', () => {
  it('is the reader itself for a gateway alone', () => {
    const r = reader(stats());
    expect(sharedStats(r.source, soleReplica, 30_000)).toBe(r.source);
    expect(sharedStats(r.source, replica(noPeers, false), 30_000)).toBe(r.source);
  });

  it('the leader reads each cluster and tells the others, an unknown load as null', async () => {
    const bus = recordingBus();
    const s = stats();
    const r = reader(s);
    expect(await sharedStats(r.source, replica(bus, true), 30_000).read(b('one'), signal)).toEqual(s);
    const none = sharedStats(reader(undefined).source, replica(bus, true), 30_000);
    expect(await none.read(b('two'), signal)).toBeUndefined();
    expect(r.reads).toEqual(['one']);
    expect(bus.sent).toEqual([
      ['backend-stats', { backend: 'one', stats: s }],
      ['backend-stats', { backend: 'two', stats: null }],
    ]);
  });

  it('a follower never reads, and uses the load it heard while fresh', async () => {
    const bus = recordingBus();
    const r = reader(stats());
    const follower = sharedStats(r.source, replica(bus, false), 30_000);
    expect(await follower.read(b('one'), signal)).toBeUndefined();
    const fresh = stats();
    bus.deliver('backend-stats', { backend: 'one', stats: fresh });
    expect(await follower.read(b('one'), signal)).toEqual(fresh);
    expect(await follower.read(b('two'), signal)).toBeUndefined();
    bus.deliver('backend-stats', { backend: 'two', stats: stats(Date.now() - 60_000) });
    expect(await follower.read(b('two'), signal)).toBeUndefined();
    // The leader's unknown load replaces the last one heard.
    bus.deliver('backend-stats', { backend: 'one', stats: null });
    expect(await follower.read(b('one'), signal)).toBeUndefined();
    expect(r.reads).toEqual([]);
  });

  it('ignores loads that are not counts, and messages without a sane backend name', async () => {
    const bus = recordingBus();
    const follower = sharedStats(reader(undefined).source, replica(bus, false), 30_000);
    const good = stats();
    bus.deliver('backend-stats', { backend: 'one', stats: good });
    for (const bad of [
      { ...good, runningQueries: -1 },
      { ...good, queuedQueries: '1' },
      { ...good, blockedQueries: Number.POSITIVE_INFINITY },
      { ...good, updatedAt: undefined },
    ]) {
      bus.deliver('backend-stats', { backend: 'one', stats: bad });
      // A malformed load drops the last one rather than keeping it.
      expect(await follower.read(b('one'), signal)).toBeUndefined();
      bus.deliver('backend-stats', { backend: 'one', stats: good });
    }
    const long = 'x'.repeat(257);
    bus.deliver('backend-stats', { backend: long, stats: good });
    bus.deliver('backend-stats', { backend: 7, stats: good });
    bus.deliver('backend-stats', null);
    expect(await follower.read(b(long), signal)).toBeUndefined();
    expect(await follower.read(b('one'), signal)).toEqual(good);
  });
});
