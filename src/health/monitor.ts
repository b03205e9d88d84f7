import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Backend, HealthState } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

export interface HealthOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Fraction of the interval added at random to each round. */
  jitter: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

type ProbeResult = { state: 'HEALTHY' | 'PENDING' | 'UNHEALTHY'; detail?: string };

const STATES: HealthState[] = ['UNKNOWN', 'PENDING', 'HEALTHY', 'UNHEALTHY'];

/** probeInfo asks GET /v1/info with its own timeout: `starting: true` is PENDING; anything else failing is UNHEALTHY. */
export function probeInfo(b: Backend, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const mod = b.target.protocol === 'https:' ? https : http;
    const req = mod.get(`${b.url}/v1/info`, { timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => text.length < 65_536 && (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200)
          return resolve({ state: 'UNHEALTHY', detail: `/v1/info answered ${res.statusCode}` });
        try {
          const info = JSON.parse(text) as { starting?: boolean };
          resolve(info.starting ? { state: 'PENDING', detail: 'starting' } : { state: 'HEALTHY' });
        } catch {
          resolve({ state: 'UNHEALTHY', detail: '/v1/info is not JSON' });
        }
      });
      res.on('error', () => resolve({ state: 'UNHEALTHY', detail: 'response aborted' }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ state: 'UNHEALTHY', detail: e.message }));
  });
}

/**
 * HealthMonitor probes every backend at start and then every interval (with jitter), all concurrently,
 * each with its own timeout, so a hanging cluster never delays the others: rounds start on the interval's
 * cadence, not an interval after the slowest probe of the last round, and a backend whose previous probe
 * is still waiting (timeout ≥ interval) is skipped rather than probed twice at once. The first answer decides
 * from UNKNOWN; later changes need `healthyThreshold` / `unhealthyThreshold` consecutive results. A
 * transport failure while proxying (passive health) marks a backend UNHEALTHY at once. Only
 * transitions are logged; `healthy` is emitted on each transition to HEALTHY.
 */
export class HealthMonitor extends EventEmitter<{ healthy: [Backend]; unhealthy: [Backend] }> {
  private readonly streak = new Map<string, { state: string; count: number }>();
  private readonly probing = new Set<Backend>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly registry: BackendRegistry,
    private readonly o: HealthOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** Called after each probe that found the backend answering (e.g. to read its load). */
    private readonly afterHealthyProbe?: (b: Backend) => Promise<void>,
  ) {
    super();
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
    this.stopped = true;
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
    if (this.stopped) return;
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
      r = await probeInfo(b, this.o.timeoutMs);
    } catch (e) {
      r = { state: 'UNHEALTHY', detail: (e as Error).message };
    } finally {
      this.probing.delete(b);
    }
    this.metrics.probeLatency.observe(
      { backend: b.name, outcome: r.state.toLowerCase() },
      Number(process.hrtime.bigint() - t0) / 1e9,
    );
    if (this.registry.get(b.name) !== b) return; // replaced or removed meanwhile
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
    if (r.state === 'HEALTHY') await this.afterHealthyProbe?.(b);
    else b.stats = undefined;
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
