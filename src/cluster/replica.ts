import type { Registry } from 'prom-client';
import { hostMetrics } from './host-metrics.js';
import { IpcLeadership, soleLeader, type Leadership } from './leadership.js';
import { noNotices, PeerChangeNotices, type ChangeNotices } from './change-notices.js';
import { ipcPeerBus, noPeers, READY_KIND, type PeerBus } from './peer-bus.js';

/**
 * How this process shares a store with others: who to tell about what it changed (notices), who runs
 * the once-per-host loops (leadership) and the small live facts it trades with its peers (bus: queries
 * polled or ended elsewhere, failed logins). A gateway alone has nobody to tell and always leads.
 */
export interface Replica {
  /** Which worker this is (1…N), or 0 for a gateway alone in its process. */
  worker: number;
  bus: PeerBus;
  notices: ChangeNotices;
  leadership: Leadership;
  /** ready tells the supervisor this process listens (a no-op alone). */
  ready(): void;
  /**
   * scrapeOf returns what /metrics serves: alone, `own` itself; a worker, the whole host's registry
   * (every worker's, summed through the primary, host-metrics.ts). Call once per gateway. Absent: alone.
   */
  scrapeOf?(own: Registry): () => Promise<Registry>;
}

export const soleReplica: Replica = {
  worker: 0,
  bus: noPeers,
  notices: noNotices,
  leadership: soleLeader,
  ready() {},
  scrapeOf: (own) => () => Promise.resolve(own),
};

/** workerReplica is a node:cluster worker's side of the primary's relay and roles (supervisor.ts). */
export function workerReplica(worker: number, proc: NodeJS.Process = process): Replica {
  const bus = ipcPeerBus(proc);
  return {
    worker,
    bus,
    notices: new PeerChangeNotices(bus),
    leadership: new IpcLeadership(proc),
    ready() {
      if (proc.connected) proc.send?.({ kind: READY_KIND }, undefined, {}, () => undefined);
    },
    scrapeOf: (own) => hostMetrics(own, proc),
  };
}
