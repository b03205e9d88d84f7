import type { Backend, BackendStats } from '../backends/backend.js';
import type { StatsSource } from '../health/probes.js';
import { noPeers } from './peer-bus.js';
import type { Replica } from './replica.js';

const TOPIC = 'backend-stats';

const isCount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function isStats(v: unknown): v is BackendStats {
  const s = v as Partial<BackendStats> | null;
  return (
    !!s &&
    typeof s === 'object' &&
    isCount(s.runningQueries) &&
    isCount(s.queuedQueries) &&
    isCount(s.blockedQueries) &&
    isCount(s.updatedAt)
  );
}

/**
 * sharedStats polls each cluster's load once per host: the leader reads it (each probe round) and tells
 * the other workers, which use the last load they heard while it is younger than freshMs (three health
 * intervals), and none after, so a selector never acts on a stale load after the leader died. Alone, the
 * reader is used as it is.
 */
export function sharedStats(reader: StatsSource, r: Replica, freshMs: number): StatsSource {
  if (r.bus === noPeers) return reader;
  const heard = new Map<string, BackendStats>();
  r.bus.subscribe(TOPIC, (d) => {
    const m = d as { backend?: unknown; stats?: unknown } | null;
    if (!m || typeof m.backend !== 'string' || m.backend.length > 256) return;
    if (isStats(m.stats)) heard.set(m.backend, m.stats);
    else heard.delete(m.backend);
  });
  return {
    async read(b: Backend, signal: AbortSignal) {
      if (r.leadership.isLeader()) {
        const stats = await reader.read(b, signal);
        r.bus.publish(TOPIC, { backend: b.name, stats: stats ?? null });
        return stats;
      }
      const s = heard.get(b.name);
      return s && Date.now() - s.updatedAt <= freshMs ? s : undefined;
    },
  };
}
