import type { Backend } from '../backends/backend.js';

/** One look at a cluster's load: what it reported (running, queued; null without stats) and our in-flight. */
export interface LoadSample {
  at: number;
  running: number | null;
  queued: number | null;
  inFlight: number;
}

export interface LoadSamplesOptions {
  /** How often to look. Default 15 s. */
  intervalMs?: number;
  /** How far back samples are kept. Default one hour. */
  keepMs?: number;
  now?: () => number;
}

/**
 * LoadSamples keeps, in memory, the queued and running counts each cluster reported (polled by the stats
 * poller into backend.stats) at a fixed interval over the last hour, for the dashboard's live chart. Bounded:
 * keepMs / intervalMs samples per backend, and only backends that still exist. Lost on restart, by design:
 * the history holds the queries; this is a picture of the last hour.
 */
export class LoadSamples {
  private readonly byBackend = new Map<string, LoadSample[]>();
  private timer: NodeJS.Timeout | undefined;
  readonly intervalMs: number;
  private readonly keepMs: number;
  private readonly now: () => number;

  constructor(opts: LoadSamplesOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 15_000;
    this.keepMs = opts.keepMs ?? 3_600_000;
    this.now = opts.now ?? Date.now;
  }

  /** start samples now and then every interval, until stop(). */
  start(backends: () => readonly Backend[], signal?: AbortSignal): void {
    this.stop();
    signal?.addEventListener('abort', () => this.stop(), { once: true });

    this.record(backends());
    this.timer = setInterval(() => this.record(backends()), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** record takes one sample of every backend and forgets samples older than keepMs and removed backends. */
  record(backends: readonly Backend[]): void {
    const at = this.now();
    const cutoff = at - this.keepMs;
    const names = new Set<string>();
    for (const b of backends) {
      names.add(b.name);
      const list = this.byBackend.get(b.name) ?? [];
      list.push({
        at,
        running: b.stats ? b.stats.runningQueries : null,
        queued: b.stats ? b.stats.queuedQueries : null,
        inFlight: b.inFlight,
      });
      while (list.length > 0 && list[0].at < cutoff) list.shift();
      this.byBackend.set(b.name, list);
    }
    for (const name of this.byBackend.keys()) if (!names.has(name)) this.byBackend.delete(name);
  }

  /** The samples of each backend, oldest first. */
  all(): ReadonlyMap<string, readonly LoadSample[]> {
    return this.byBackend;
  }
}
