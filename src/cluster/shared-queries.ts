import type { QueryTracker, TrackerPeers } from '../proxy/query-tracker.js';
import { noPeers, type PeerBus } from './peer-bus.js';

const SEEN = 'query-seen';
const ENDED = 'query-ended';
/** A query polled here but followed elsewhere is announced at most this often (its owner abandons after minutes). */
const SEEN_EVERY_MS = 5000;
const MAX_REMEMBERED = 10_000;

/**
 * trackerPeers lets the worker that followed a query from its submission learn that the query is polled
 * through, or ended in, another worker (a client's connections are spread over the workers), so it does
 * not take it for abandoned and overwrite the history row the other worker completed.
 */
export function trackerPeers(bus: PeerBus, now: () => number = Date.now): TrackerPeers | undefined {
  if (bus === noPeers) return undefined;
  const sent = new Map<string, number>();
  return {
    seen(queryId) {
      const t = now();
      if (t - (sent.get(queryId) ?? -Infinity) < SEEN_EVERY_MS) return;
      if (sent.size >= MAX_REMEMBERED) sent.clear();
      sent.set(queryId, t);
      bus.publish(SEEN, queryId);
    },
    ended(queryId) {
      sent.delete(queryId);
      bus.publish(ENDED, queryId);
    },
  };
}

const isQueryId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;

/** followPeers applies what other workers announce to this worker's tracker. */
export function followPeers(bus: PeerBus, tracker: QueryTracker): void {
  bus.subscribe(SEEN, (id) => isQueryId(id) && tracker.seenElsewhere(id));
  bus.subscribe(ENDED, (id) => isQueryId(id) && tracker.endedElsewhere(id));
}
