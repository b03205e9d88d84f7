import type { Metrics } from '../observability/metrics.js';
import type { AdmissionQueue } from './admission.js';
import type { Lease } from './held-query.js';

/** A query the gateway itself follows (its query tracker), as the drift check needs it. */
export interface LiveQuery {
  queryId: string;
  backend: string;
  group?: string;
  user: string;
}

/** A cluster's own count of queries (running and queued), from the stats poller, with its time. */
export interface ClusterCount {
  queries: number;
  at: number;
}

export interface DriftSources {
  /** Every query the gateway follows now. */
  live(): Iterable<LiveQuery>;
  /** The cluster's own count, when it is fresh enough to trust; undefined otherwise. */
  clusterCount(backend: string): ClusterCount | undefined;
  /** The group a backend belongs to (queries adopted after a restart carry no group of their own). */
  groupOf(backend: string): string | undefined;
}

/**
 * DriftCheck keeps the slot counts exact where an end went unseen. Every round it compares the slots with
 * (1) the gateway's own view: a slot whose query the tracker no longer follows is given back, and a followed
 * query without a slot (taken back after a restart) gets one; and (2) each cluster's own count: when a
 * cluster reports fewer queries than this gateway holds slots for there, twice in a row and with slots older
 * than the count, the oldest surplus slots of accepted queries are given back. A cluster's count includes other clients'
 * queries, so it can only show that slots are too many, never too few.
 */
export class DriftCheck {
  private readonly suspect = new Map<string, number>();

  constructor(
    private readonly queue: AdmissionQueue<unknown>,
    private readonly src: DriftSources,
    private readonly metrics?: Metrics,
  ) {}

  async run(now = Date.now()): Promise<{ released: number; adopted: number }> {
    let released = 0;
    let adopted = 0;
    const live = new Map<string, LiveQuery>();
    for (const q of this.src.live()) live.set(q.queryId, q);
    const perBackend = new Map<string, Lease[]>();
    for (const l of [...this.queue.heldLeases()]) {
      if (l.queryId !== undefined && !live.has(l.queryId)) {
        this.queue.release(l);
        this.metrics?.queueCorrections.inc({ backend: l.backend, direction: 'released' });
        released++;
        continue;
      }
      let list = perBackend.get(l.backend);
      if (!list) perBackend.set(l.backend, (list = []));
      list.push(l);
    }
    const bound = new Set<string>();
    for (const ls of perBackend.values()) for (const l of ls) if (l.queryId) bound.add(l.queryId);
    for (const q of live.values()) {
      const group = q.group ?? this.src.groupOf(q.backend);
      if (bound.has(q.queryId) || !group || !this.queue.governs(group)) continue;
      await this.queue.adopt(group, q.backend, q.user, q.queryId, now);
      this.metrics?.queueCorrections.inc({ backend: q.backend, direction: 'adopted' });
      adopted++;
    }
    for (const [backend, leases] of perBackend) released += this.againstCluster(backend, leases);
    return { released, adopted };
  }

  /** againstCluster gives back surplus slots the cluster's own count shows, on the second sighting. */
  private againstCluster(backend: string, leases: Lease[]): number {
    const c = this.src.clusterCount(backend);
    // Only slots of queries a cluster accepted (bound to its query id) count: a slot handed to a held query
    // whose client has not polled for it yet, or a submission in flight, is not on the cluster yet.
    const old = c
      ? leases
          .filter((l) => l.queryId !== undefined && l.takenAt < c.at)
          .sort((a, b) => a.takenAt - b.takenAt)
      : [];
    const surplus = c ? old.length - c.queries : 0;
    if (surplus <= 0) {
      this.suspect.delete(backend);
      return 0;
    }
    const seen = this.suspect.get(backend);
    if (seen === undefined) {
      this.suspect.set(backend, surplus);
      return 0;
    }
    this.suspect.delete(backend);
    const n = Math.min(seen, surplus);
    for (const l of old.slice(0, n)) {
      this.queue.release(l);
      this.metrics?.queueCorrections.inc({ backend, direction: 'released' });
    }
    return n;
  }
}
