import { describe, expect, it } from 'vitest';
import { noPeers } from '../../src/cluster/peer-bus.js';
import { followPeers, trackerPeers } from '../../src/cluster/shared-queries.js';
import type { HistoryCompletion } from '../../src/history/history-repo.js';
import type { QueryTracker } from '../../src/proxy/query-tracker.js';
import { recordingBus } from '../helpers/linked-bus.js';

/** What followPeers calls on a tracker, kept for the test to read. */
function tracker() {
  const seen: string[] = [];
  const ended: Array<[string, HistoryCompletion | undefined]> = [];
  const t = {
    seenElsewhere: (id: string) => void seen.push(id),
    endedElsewhere: (id: string, c?: HistoryCompletion) => void ended.push([id, c]),
  };
  return { seen, ended, tracker: t as unknown as QueryTracker };
}

const done: HistoryCompletion = {
  queryId: 'q1',
  state: 'FINISHED',
  finishedAt: 1000,
  rows: 3,
  errorName: null,
};

describe('trackerPeers', () => {
  it('is absent for a gateway alone', () => {
    expect(trackerPeers(noPeers)).toBeUndefined();
  });

  it('announces a poll of a query at most every 5 s, each query on its own', () => {
    const bus = recordingBus();
    let t = 10_000;
    const peers = trackerPeers(bus, () => t)!;
    peers.seen('q1');
    peers.seen('q2');
    t += 4999;
    peers.seen('q1');
    expect(bus.sent).toEqual([
      ['query-seen', 'q1'],
      ['query-seen', 'q2'],
    ]);
    t += 1;
    peers.seen('q1');
    expect(bus.sent.at(-1)).toEqual(['query-seen', 'q1']);
    expect(bus.sent).toHaveLength(3);
  });

  it('announces an end with its completion, and forgets the throttle', () => {
    const bus = recordingBus();
    const t = 10_000;
    const peers = trackerPeers(bus, () => t)!;
    peers.seen('q1');
    peers.ended('q1', done);
    peers.ended('q2');
    peers.seen('q1');
    expect(bus.sent).toEqual([
      ['query-seen', 'q1'],
      ['query-ended', { queryId: 'q1', completion: done }],
      ['query-ended', { queryId: 'q2' }],
      ['query-seen', 'q1'],
    ]);
  });
});

describe('followPeers', () => {
  it('applies polls and ends heard from peers to the tracker', () => {
    const bus = recordingBus();
    const t = tracker();
    followPeers(bus, t.tracker);
    bus.deliver('query-seen', 'q1');
    bus.deliver('query-ended', { queryId: 'q1', completion: done });
    bus.deliver('query-ended', { queryId: 'q2' });
    expect(t.seen).toEqual(['q1']);
    expect(t.ended).toEqual([
      ['q1', done],
      ['q2', undefined],
    ]);
  });

  it('ignores query ids that are empty, too long or not strings', () => {
    const bus = recordingBus();
    const t = tracker();
    followPeers(bus, t.tracker);
    for (const id of ['', 'q'.repeat(257), 7, null]) {
      bus.deliver('query-seen', id);
      bus.deliver('query-ended', { queryId: id });
    }
    bus.deliver('query-ended', null);
    bus.deliver('query-seen', 'q'.repeat(256));
    expect(t.seen).toEqual(['q'.repeat(256)]);
    expect(t.ended).toEqual([]);
  });

  it('ends a query without a completion whose fields have the wrong types', () => {
    const bus = recordingBus();
    const t = tracker();
    followPeers(bus, t.tracker);
    const bad: unknown[] = [
      { ...done, state: 3 },
      { ...done, finishedAt: '1000' },
      { ...done, rows: '3' },
      { ...done, errorMessage: 5 },
      { ...done, queryId: '' },
      'FINISHED',
    ];
    for (const completion of bad) bus.deliver('query-ended', { queryId: 'q1', completion });
    expect(t.ended).toEqual(bad.map(() => ['q1', undefined]));
  });
});
