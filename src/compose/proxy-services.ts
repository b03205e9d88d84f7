import { trackerPeers } from '../cluster/shared-queries.js';
import { Affinity } from '../proxy/affinity.js';
import { Forwarder } from '../proxy/forward.js';
import { HandleCodec } from '../proxy/handle-codec.js';
import { QueryTracker } from '../proxy/query-tracker.js';
import { QueueService, queueConfigs } from '../queue/queue-service.js';
import type { BackendServices } from './backend-services.js';
import type { Core } from './core.js';
import type { HistoryServices } from './history-services.js';

export interface ProxyServices {
  tracker: QueryTracker;
  affinity: Affinity;
  forwarder: Forwarder;
  codec: HandleCodec;
  /** The gateway's own queue, when some group has one (groups[].queue). */
  queue?: QueueService;
}

/** buildProxyState: what the protocol proxy keeps between requests (queries in flight, affinity). */
export function buildProxyState(k: Core, b: BackendServices, h: HistoryServices): ProxyServices {
  const cfg = k.config;
  const tracker = new QueryTracker(b.registry, h.recorder, k.metrics, {
    abandonAfterMs: cfg.proxy.abandonAfterMinutes * 60_000,
    unpolledAbandonMs: cfg.proxy.unpolledAbandonSeconds * 1000,
    lostGraceMs: cfg.proxy.lostQueryGraceSeconds * 1000,
    maxInFlightPerUser: cfg.proxy.maxInFlightPerUser,
    maxUnpolledPerUser: cfg.proxy.maxUnpolledPerUser,
    storeSql: h.storeSql,
    isSecretKey: h.isSecretProperty,
    logger: k.logger,
    onEnded: (queryId) => queue?.gate.ended(queryId),
    peers: trackerPeers(k.replica.bus),
  });
  const codec = new HandleCodec(k.secrets.affinity);
  const queue = queueConfigs(cfg).size
    ? new QueueService(cfg, {
        registry: b.registry,
        picker: b.picker,
        codec,
        metrics: k.metrics,
        logger: k.logger,
        live: () => tracker.liveQueries(),
        // Replicas on one PostgreSQL database share the counts; a single node counts in memory.
        store: k.store.queueSlots?.(),
      })
    : undefined;
  return {
    tracker,
    // A query memory forgot (a restart, another replica) is bound to the user its history row names.
    affinity: new Affinity(k.store.affinity, k.logger, async (id) => (await h.history.get(id))?.user),
    forwarder: new Forwarder(cfg.proxy.upstreamTimeoutMs, cfg.server.publicUrl),
    codec,
    ...(queue ? { queue } : {}),
  };
}
