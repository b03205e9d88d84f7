import type { Backend, BackendStats } from '../backends/backend.js';
import type { Logger } from '../observability/logger.js';
import type { HealthProbe } from './health-probe.js';
import { infoProbe } from './info-probe.js';
import { StatsReader, type StatsOptions } from './stats-reader.js';

export interface ProbeDeps {
  /** Milliseconds each request of a probe may take. */
  timeoutMs: number;
  /** The cluster UI's login, for `info+stats`. */
  stats: Omit<StatsOptions, 'timeoutMs'>;
  logger: Logger;
  /** Replicas share one leader's reading of the load (PostgreSQL); absent, every probe reads it itself. */
  shared?: { leads(): boolean; get(name: string): BackendStats | undefined };
  /** Wraps the stats reader of `info+stats` (server.workers: one worker reads, the others hear). */
  shareStats?: (reader: StatsSource) => StatsSource;
}

/** Where a probe gets a backend's load: undefined when it cannot be read. */
export interface StatsSource {
  read(b: Backend, signal: AbortSignal): Promise<BackendStats | undefined>;
}

/**
 * infoAndStatsProbe is `info`, then, when the backend is HEALTHY, its load from the web UI (StatsReader),
 * so least-loaded sees queries the cluster runs for others. A load that cannot be read leaves the backend
 * HEALTHY without stats. With `shared`, only the leader asks the cluster; the others take its published load.
 */
export function infoAndStatsProbe(
  info: HealthProbe,
  stats: StatsSource,
  shared?: ProbeDeps['shared'],
): HealthProbe {
  return {
    async probe(b: Backend, signal: AbortSignal) {
      const r = await info.probe(b, signal);
      if (r.state !== 'HEALTHY') return r;
      return { ...r, stats: shared && !shared.leads() ? shared.get(b.name) : await stats.read(b, signal) };
    },
  };
}

/** Health probes by the name used in config (`health.probe`); an unknown name fails at startup. */
export const PROBES: Record<string, (d: ProbeDeps) => HealthProbe> = {
  info: (d) => infoProbe(d.timeoutMs),
  'info+stats': (d) =>
    infoAndStatsProbe(
      infoProbe(d.timeoutMs),
      (d.shareStats ?? ((r) => r))(new StatsReader({ ...d.stats, timeoutMs: d.timeoutMs }, d.logger)),
      d.shared,
    ),
};

export function createProbe(name: string, deps: ProbeDeps): HealthProbe {
  const make = Object.hasOwn(PROBES, name) ? PROBES[name] : undefined; // not 'toString' & co.
  if (!make) throw new Error(`unknown health probe "${name}" (known: ${Object.keys(PROBES).join(', ')})`);
  return make(deps);
}
