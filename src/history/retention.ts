import type { Logger } from '../observability/logger.js';

/** A store that forgets rows older than a cutoff (a store port's purgeBefore). */
export interface Purgeable {
  purgeBefore(cutoff: number): Promise<number>;
}

export interface RetentionOptions {
  /** What to purge and how old a row may get, in ms. */
  targets: Array<{ name: string; store: Purgeable; maxAgeMs: number }>;
  intervalMs: number;
  logger: Logger;
  now?: () => number;
  /** Whether this replica purges now (the leader of several); default always. */
  runs?: () => boolean;
}

/**
 * Retention deletes rows older than their retention (history by `history.retentionDays`, query and
 * transaction affinity after a day longer than any query lives). Runs once at start, then on an interval;
 * a failure is logged and retried next time, never thrown.
 */
export class Retention {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: RetentionOptions) {}

  /** start runs now, then every interval, until stop() or `signal` aborts. */
  start(signal?: AbortSignal): void {
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    void this.runOnce();
    this.timer ??= setInterval(() => void this.runOnce(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** runOnce purges every target in turn; resolves when done, never rejects. */
  async runOnce(): Promise<void> {
    if (this.o.runs && !this.o.runs()) return;
    const now = (this.o.now ?? Date.now)();
    for (const t of this.o.targets) {
      try {
        const n = await t.store.purgeBefore(now - t.maxAgeMs);
        if (n > 0) this.o.logger.info({ store: t.name, purged: n }, 'retention purge');
      } catch (e) {
        this.o.logger.warn({ store: t.name, err: (e as Error).message }, 'retention purge failed');
      }
    }
  }
}
