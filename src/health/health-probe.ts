import type { Backend, BackendStats } from '../backends/backend.js';

/** What one probe found: the state it saw and, when the probe reads them, the cluster's load. */
export interface ProbeResult {
  state: 'HEALTHY' | 'PENDING' | 'UNHEALTHY';
  /** Why the backend is not HEALTHY, for the API and the transition log. */
  detail?: string;
  /** The cluster's load, read by the probe when it was HEALTHY; absent when not read or not readable. */
  stats?: BackendStats;
}

/**
 * A health probe, chosen by name in config (`health.probe`, probes.ts). probe asks one backend how it is,
 * within the probe's own timeout, and never throws: every failure is an UNHEALTHY result with its detail.
 * `signal` ends it early when the gateway stops. Probes only report: the monitor applies thresholds and
 * isAvailable() alone decides who takes queries.
 */
export interface HealthProbe {
  probe(backend: Backend, signal: AbortSignal): Promise<ProbeResult>;
}
