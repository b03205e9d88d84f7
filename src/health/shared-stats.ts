import type { BackendStats } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { SettingsStore } from '../store/ports.js';

/** The settings row the leader publishes every backend's load in (JSON: name → stats). */
export const STATS_KEY = 'backend-stats';

/**
 * SharedStats lets one replica (the leader) poll the clusters' load for all: every interval the leader
 * writes the load its probes read to the store, and every other replica reads it into memory, where the
 * probe takes it instead of asking the cluster. Loads older than three intervals are ignored, so a dead
 * leader's numbers never steer least-loaded for long. A failed read or write is logged and tried again.
 */
export class SharedStats {
  private known = new Map<string, BackendStats>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly d: {
      settings: SettingsStore;
      registry: BackendRegistry;
      leads: () => boolean;
      intervalMs: number;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  /** leads: this replica polls the clusters itself. */
  leads(): boolean {
    return this.d.leads();
  }

  /** get is the leader's last published load of a backend, unless it is older than three intervals. */
  get(name: string): BackendStats | undefined {
    const s = this.known.get(name);
    const now = (this.d.now ?? Date.now)();
    return s && now - s.updatedAt <= 3 * this.d.intervalMs ? s : undefined;
  }

  start(signal: AbortSignal): void {
    signal.addEventListener('abort', () => clearInterval(this.timer), { once: true });
    this.timer = setInterval(() => void this.round(), this.d.intervalMs);
    this.timer.unref();
  }

  /** round publishes (leader) or reads (follower) once; never rejects. */
  async round(): Promise<void> {
    try {
      if (this.d.leads()) {
        const all: Record<string, BackendStats> = {};
        for (const b of this.d.registry.all()) if (b.stats) all[b.name] = b.stats;
        await this.d.settings.set(STATS_KEY, JSON.stringify(all));
      } else {
        const v = JSON.parse((await this.d.settings.get(STATS_KEY)) ?? '{}') as Record<string, BackendStats>;
        this.known = new Map(Object.entries(v && typeof v === 'object' ? v : {}));
      }
    } catch (e) {
      this.d.logger.debug({ err: (e as Error).message }, 'sharing backend stats failed');
    }
  }
}
