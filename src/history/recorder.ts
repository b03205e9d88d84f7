import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { HistoryCompletion, HistoryRepo, NewHistoryRow } from './history-repo.js';

export interface RecorderOptions {
  flushIntervalMs: number;
  maxQueue: number;
}

/**
 * HistoryRecorder takes history events on the request path in O(1) and writes them to SQLite in
 * batches, off that path. The queue is bounded: beyond maxQueue, events are dropped and counted, so a
 * stuck database never holds up a client or grows memory. A failed batch is kept and retried on the
 * next tick (counted as errors); the client never sees it.
 */
export class HistoryRecorder {
  private inserts = new Map<string, NewHistoryRow>();
  private completions = new Map<string, HistoryCompletion>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: HistoryRepo,
    private readonly opts: RecorderOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  submitted(row: NewHistoryRow): void {
    if (!this.room()) return;
    this.inserts.set(row.queryId, row);
    this.metrics.historyQueue.set(this.size());
  }

  completed(c: HistoryCompletion): void {
    const pending = this.inserts.get(c.queryId);
    if (pending) {
      // Submitted and finished within one batch: one insert carries both.
      const { queryId: _id, ...rest } = c;
      Object.assign(pending, rest);
      return;
    }
    if (!this.completions.has(c.queryId) && !this.room()) return;
    this.completions.set(c.queryId, c);
    this.metrics.historyQueue.set(this.size());
  }

  /** flush writes everything queued now; returns whether the write succeeded. */
  flush(): boolean {
    if (this.size() === 0) return true;
    const inserts = [...this.inserts.values()];
    const completions = [...this.completions.values()];
    try {
      this.repo.writeBatch(inserts, completions);
    } catch (e) {
      this.metrics.historyWrites.inc({ outcome: 'error' }, inserts.length + completions.length);
      this.logger.warn(
        { err: (e as Error).message, queued: this.size() },
        'history write failed; will retry',
      );
      return false;
    }
    this.inserts = new Map();
    this.completions = new Map();
    this.metrics.historyWrites.inc({ outcome: 'ok' }, inserts.length + completions.length);
    this.metrics.historyQueue.set(0);
    return true;
  }

  /** stop flushes what is queued and stops the timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  size(): number {
    return this.inserts.size + this.completions.size;
  }

  private room(): boolean {
    if (this.size() < this.opts.maxQueue) return true;
    this.metrics.historyWrites.inc({ outcome: 'dropped' });
    return false;
  }
}
