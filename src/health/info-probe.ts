import type { Backend } from '../backends/backend.js';
import type { HealthProbe, ProbeResult } from './health-probe.js';

/**
 * infoProbe asks `GET /v1/info` (Trino's ServerInfoResource): 200 with `starting: false` is HEALTHY,
 * `starting: true` is PENDING (a coordinator still starting refuses queries), anything else, or no answer
 * within timeoutMs, is UNHEALTHY.
 */
export function infoProbe(timeoutMs: number): HealthProbe {
  return {
    async probe(b: Backend, signal: AbortSignal): Promise<ProbeResult> {
      const r = await b.client.call({
        method: 'GET',
        path: '/v1/info',
        deadline: Date.now() + timeoutMs,
        signal,
        maxBytes: 65_536,
      });
      if (!r.ok) return { state: 'UNHEALTHY', detail: r.message };
      if (r.status !== 200) return { state: 'UNHEALTHY', detail: `/v1/info answered ${r.status}` };
      try {
        const info = JSON.parse(r.body) as { starting?: unknown };
        return info.starting === true ? { state: 'PENDING', detail: 'starting' } : { state: 'HEALTHY' };
      } catch {
        return { state: 'UNHEALTHY', detail: '/v1/info is not JSON' };
      }
    },
  };
}
