import { EventEmitter, setMaxListeners } from 'node:events';
import type { Backend, HealthState } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { HealthProbe, ProbeResult } from './health-probe.js';

export interface HealthOptions {
  intervalMs: number;
  /** Fraction of the interval added at random to each round. */
  jitter: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

const STATES: HealthState[] = ['UNKNOWN', 'PENDING', 'HEALTHY', 'UNHEALTHY'];

/**
 * HealthMonitor probes every backend with the configured HealthProbe at start and then every interval (with
 * jitter), all concurrently, each within the probe's own timeout, so a hanging cluster never delays the
 * others: rounds start on the interval's cadence, not an interval after the slowest probe of the last
 * round, and a backend whose previous probe is still waiting (timeout ≥ interval) is skipped rather than
 * probed twice at once. The first answer decides
 * from UNKNOWN; later changes need `healthyThreshold` / `unhealthyThreshold` consecutive results. A
 * transport failure while proxying (passive health) marks a backend UNHEALTHY at once. Only
 * transitions are logged; `healthy` is emitted on each transition to HEALTHY. A backend's stats are the
 * last HEALTHY probe's (none otherwise). stop() aborts the probes in flight.
 */
export class HealthMonitor extends EventEmitter<{ healthy: [Backend]; unhealthy: [Backend] }> {
  private readonly streak = new Map<string, { state: string; count: number }>();
  private readonly probing = new Set<Backend>();
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly registry: BackendRegistry,
    private readonly o: HealthOptions,
    private readonly prober: HealthProbe,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    super();
    setMaxListeners(0, this.stopping.signal); // every probe in flight listens to it, by design
    registry.on('added', (b) => void this.probe(b));
    registry.on('activated', (b) => void this.probe(b));
  }

  /** start probes every backend now (resolving when that round is done), then every interval until `signal` aborts. */
  async start(signal?: AbortSignal): Promise<void> {
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    this.schedule();
    await this.round();
  }

  stop(): void {
    this.stopping.abort();
    clearTimeout(this.timer);
  }

  /** reportFailure is passive health: the proxy could not reach the backend. */
  reportFailure(name: string, kind: string): void {
    const b = this.registry.get(name);
    if (b) this.transition(b, 'UNHEALTHY', `proxy: connection ${kind}`);
  }

  round(): Promise<void> {
    return Promise.all(this.registry.all().map((b) => this.probe(b))).then(() => undefined);
  }

  private schedule(): void {
    if (this.stopping.signal.aborted) return;
    const delay = this.o.intervalMs * (1 + Math.random() * this.o.jitter);
    this.timer = setTimeout(() => {
      this.schedule(); // the next round's clock starts now: a hanging backend's timeout must not delay it
      void this.round();
    }, delay);
    this.timer.unref();
  }

  private async probe(b: Backend): Promise<void> {
    if (this.probing.has(b)) return;
    this.probing.add(b);
    const t0 = process.hrtime.bigint();
    let r: ProbeResult;
    try {
      r = await this.prober.probe(b, this.stopping.signal);
    } catch (e) {
      r = { state: 'UNHEALTHY', detail: (e as Error).message };
    } finally {
      this.probing.delete(b);
    }
    this.metrics.probeLatency.observe(
      { backend: b.name, outcome: r.state.toLowerCase() },
      Number(process.hrtime.bigint() - t0) / 1e9,
    );
    if (this.registry.get(b.name) !== b || this.stopping.signal.aborted) return; // replaced, removed, stopped
    const s = this.streak.get(b.name);
    const count = s && s.state === r.state ? s.count + 1 : 1;
    this.streak.set(b.name, { state: r.state, count });
    const need =
      r.state === 'HEALTHY'
        ? this.o.healthyThreshold
        : r.state === 'UNHEALTHY'
          ? this.o.unhealthyThreshold
          : 1;
    if (b.health === 'UNKNOWN' || count >= need) this.transition(b, r.state, r.detail);
    b.stats = r.state === 'HEALTHY' ? r.stats : undefined;
  }

  private transition(b: Backend, state: HealthState, detail?: string): void {
    b.healthDetail = detail;
    if (b.health === state) return;
    const from = b.health;
    b.health = state;
    for (const s of STATES) this.metrics.backendState.set({ backend: b.name, state: s }, s === state ? 1 : 0);
    this.logger.info({ backend: b.name, from, to: state, detail }, 'backend health changed');
    if (state === 'HEALTHY') this.emit('healthy', b);
    if (state === 'UNHEALTHY') this.emit('unhealthy', b);
  }
}
