import type { HistoryCompletion } from '../history/history-repo.js';
import type { QueryTracker, TrackerPeers } from '../proxy/query-tracker.js';
import { noPeers, type PeerBus } from './peer-bus.js';

const SEEN = 'query-seen';
const ENDED = 'query-ended';
/** A poll of a query followed elsewhere is announced at most this often (its owner abandons after minutes). */
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
    ended(queryId, completion) {
      sent.delete(queryId);
      bus.publish(ENDED, completion ? { queryId, completion } : { queryId });
    },
  };
}

const isQueryId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;

/** isCompletion: what a peer sent is a completion the recorder can take (its fields the right types). */
function isCompletion(v: unknown): v is HistoryCompletion {
  const c = v as Record<string, unknown> | null;
  if (!c || typeof c !== 'object' || !isQueryId(c.queryId) || typeof c.state !== 'string') return false;
  if (typeof c.finishedAt !== 'number') return false;
  const strings = ['errorName', 'errorType', 'errorMessage'];
  const numbers = ['rows', 'bytes', 'elapsedMs'];
  return (
    strings.every((k) => c[k] == null || typeof c[k] === 'string') &&
    numbers.every((k) => c[k] == null || typeof c[k] === 'number')
  );
}

/** followPeers applies what other workers announce to this worker's tracker. */
export function followPeers(bus: PeerBus, tracker: QueryTracker): void {
  bus.subscribe(SEEN, (id) => isQueryId(id) && tracker.seenElsewhere(id));
  bus.subscribe(ENDED, (d) => {
    const m = d as { queryId?: unknown; completion?: unknown } | null;
    if (!m || !isQueryId(m.queryId)) return;
    tracker.endedElsewhere(m.queryId, isCompletion(m.completion) ? m.completion : undefined);
  });
}
