import { soleReplica, type Replica } from '../cluster/replica.js';
import type { CatalogService } from '../catalogs/catalog-service.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { Retention } from '../history/retention.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { DatabaseRules } from '../routing/database-rules.js';
import type { RuleEngine } from '../routing/rule-engine.js';
import { LoadSamples } from '../ui/load-samples.js';
import { buildAuth, type AuthServices } from './auth-services.js';
import { buildBackends, type BackendServices } from './backend-services.js';
import { buildCatalogs } from './catalog-services.js';
import type { Core } from './core.js';
import { buildHistory, buildRetention, type HistoryServices } from './history-services.js';
import type { Resources } from './open-resources.js';
import { buildProxyState, type ProxyServices } from './proxy-services.js';
import { Leadership } from './leadership.js';
import { ReplicaSync } from './replica-sync.js';

export interface RoutingServices {
  /** Routing rules in force (files and database). */
  rules: RuleEngine;
  /** Routing rules edited through the API and the console, versioned in the database. */
  databaseRules: DatabaseRules;
}

/** Every service of one gateway, built once; none is missing (optional ones are off by config). */
export type Services = Core &
  BackendServices &
  HistoryServices &
  ProxyServices &
  AuthServices &
  RoutingServices & {
    catalogs: CatalogService;
    retention: Retention;
    /** Queued and running per cluster over the last hour, for the console's live chart. */
    loadSamples: LoadSamples;
    /** Follows the other replicas' changes (PostgreSQL only; undefined on SQLite). */
    replicas: ReplicaSync | undefined;
  };

/** The process-wide sinks; tests pass their own. */
export interface Runtime {
  logger: Logger;
  metrics: Metrics;
  /** The processes sharing the store (server.workers); default: none. */
  replica?: Replica;
}

/**
 * buildServices wires every service from the frozen config and what openResources read. It does no I/O of
 * its own and starts nothing (loops start in startLoops); a new area adds a sub-builder and its record.
 */
export function buildServices(config: GatewayConfig, r: Resources, rt: Runtime): Services {
  const replica = rt.replica ?? soleReplica;
  const leadership =
    config.database.url === undefined
      ? Leadership.of(replica.leadership)
      : Leadership.postgres(
          config.database.url,
          { connectTimeoutMs: config.database.connectTimeoutSeconds * 1000 },
          rt.logger,
        );
  const core: Core = {
    config,
    logger: rt.logger,
    metrics: rt.metrics,
    db: r.db,
    store: r.store,
    preload: r.preload,
    dbPath: r.dbPath,
    secrets: r.secrets,
    // One leader: PostgreSQL's advisory lock among replicas (each worker contends itself), else the
    // primary's choice among this host's workers, else this process alone.
    replica: { ...replica, leadership },
    leadership,
  };
  const backends = buildBackends(core);
  const history = buildHistory(core);
  const proxy = buildProxyState(core, backends, history);
  const databaseRules = new DatabaseRules({
    repo: r.store.ruleVersions,
    engine: () => r.rules,
    groups: () => backends.registry.groupNames(),
    logger: rt.logger,
  });
  const auth = buildAuth(core);
  const url = config.database.url;
  const replicas =
    url === undefined
      ? undefined
      : ReplicaSync.forUrl(
          url,
          { connectTimeoutMs: config.database.connectTimeoutSeconds * 1000 },
          {
            registry: backends.registry,
            backends: r.store.backends,
            users: auth.users,
            databaseRules,
            logger: rt.logger,
          },
        );
  return {
    ...core,
    ...backends,
    ...history,
    ...proxy,
    ...auth,
    replicas,
    rules: r.rules,
    databaseRules,
    catalogs: buildCatalogs(core, backends, history, r.sealer),
    retention: buildRetention(core),
    loadSamples: new LoadSamples(),
  };
}
