import type { Backend } from '../backends/backend.js';
import { clusterWarnings, resolveForwardAuthorization } from '../backends/cluster-checks.js';
import { BackendPicker } from '../backends/picker.js';
import { BackendRegistry } from '../backends/registry.js';
import { HealthMonitor } from '../health/monitor.js';
import { createProbe } from '../health/probes.js';
import { sharedStats } from '../cluster/shared-stats.js';
import { SharedStats } from '../health/shared-stats.js';
import { audit } from '../observability/audit.js';
import type { Core } from './core.js';

export interface BackendServices {
  registry: BackendRegistry;
  picker: BackendPicker;
  /** Active health checks; undefined when health.enabled is false (every backend then counts as healthy). */
  monitor: HealthMonitor | undefined;
  /** One leader's reading of the clusters' load, for the other replicas (PostgreSQL with info+stats). */
  sharedStats: SharedStats | undefined;
}

/** buildBackends: the registry of backends and groups, the picker over it, and the health monitor. */
export function buildBackends(k: Core): BackendServices {
  const cfg = k.config;
  const registry = new BackendRegistry(
    k.store.backends,
    k.preload.registry,
    cfg.proxy.maxSocketsPerBackend,
    resolveForwardAuthorization(cfg.auth.forwardAuthorization, cfg.auth.mode),
  );
  // Ways of reaching a cluster that cannot work (or send credentials in cleartext): said at start, and for
  // each such backend added later through the admin API.
  const warn = (bs: Backend[]) => {
    for (const line of clusterWarnings(bs, cfg.auth.mode, cfg.server.publicUrl)) k.logger.warn(line);
  };
  warn(registry.all());
  registry.on('added', (b) => warn([b]));
  registry.on('changed', (c) => audit(k.logger, c));
  const h = cfg.health;
  const sharedStats =
    cfg.database.url !== undefined && h.enabled && h.probe === 'info+stats'
      ? new SharedStats({
          settings: k.store.settings,
          registry,
          leads: () => k.leadership.isLeader(),
          intervalMs: h.intervalSeconds * 1000,
          logger: k.logger,
        })
      : undefined;
  return {
    registry,
    picker: new BackendPicker(registry),
    monitor: buildMonitor(k, registry, sharedStats),
    sharedStats,
  };
}

function buildMonitor(k: Core, registry: BackendRegistry, shared?: SharedStats): HealthMonitor | undefined {
  const h = k.config.health;
  if (!h.enabled) {
    // Without health checks every backend counts as healthy, including those added later.
    for (const b of registry.all()) b.health = 'HEALTHY';
    registry.on('added', (b) => (b.health = 'HEALTHY'));
    return undefined;
  }
  return new HealthMonitor(
    registry,
    {
      intervalMs: h.intervalSeconds * 1000,
      jitter: h.jitter,
      healthyThreshold: h.healthyThreshold,
      unhealthyThreshold: h.unhealthyThreshold,
    },
    createProbe(h.probe, {
      timeoutMs: h.timeoutSeconds * 1000,
      stats: h.stats,
      logger: k.logger,
      shareStats: (reader) => sharedStats(reader, k.replica, h.intervalSeconds * 3000),
      shared,
    }),
    k.metrics,
    k.logger,
  );
}
