import type { SecretSealer } from '../catalogs/secrets.js';
import { CatalogService } from '../catalogs/catalog-service.js';
import { recordCatalogQuery } from '../history/catalog-queries.js';
import type { BackendServices } from './backend-services.js';
import type { Core } from './core.js';
import type { HistoryServices } from './history-services.js';

/** buildCatalogs: catalog broadcast and reconciliation, its statements recorded in the history. */
export function buildCatalogs(
  k: Core,
  b: BackendServices,
  h: HistoryServices,
  sealer: SecretSealer,
): CatalogService {
  const c = k.config.catalogs;
  return new CatalogService({
    repo: k.store.catalogs,
    registry: b.registry,
    sealer,
    isSecret: h.isSecretProperty,
    timeoutMs: c.statementTimeoutSeconds * 1000,
    reconcileUser: c.user,
    logger: k.logger,
    metrics: k.metrics,
    leads: () => k.leadership.isLeader(),
    onQuery: (q) => recordCatalogQuery(h.recorder, h.storeSql, q),
  });
}
