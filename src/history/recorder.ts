import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { HistoryCompletion, HistoryRepo, NewHistoryRow } from './history-repo.js';

export interface RecorderOptions {
  flushIntervalMs: number;
  /** Events held at most. */
  maxQueue: number;
  /** Memory held at most, in bytes: SQL and error text (UTF-16, as held) plus a fixed overhead per event. */
  maxQueueBytes: number;
  /**
   * Write a submission's row at once, before the client sees its first answer, so a crash loses no row
   * (a WAL append; see bench/history-durability.ts). Completions stay batched. Default true.
   */
  durableSubmissions?: boolean;
}

/** Bytes counted for an event besides its SQL and error text (ids, names, numbers, map entry). */
const EVENT_OVERHEAD = 256;
/** After a failed immediate write, submissions are queued instead for this long (no busy wait per query). */
const DIRECT_BACKOFF_MS = 1000;

/**
 * HistoryRecorder takes history events on the request path and writes them to SQLite: submissions at once
 * (durable), completions in batches off that path. The queue is bounded by events and by bytes: beyond
 * either, events are dropped and counted, so a stuck database never holds up a client or grows memory. A
 * failed batch is kept and retried on the next tick (counted as errors); the client never sees it.
 */
export class HistoryRecorder {
  private inserts = new Map<string, NewHistoryRow>();
  private completions = new Map<string, HistoryCompletion>();
  private bytes = 0;
  private directFailedAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: HistoryRepo,
    private readonly opts: RecorderOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** start flushes every interval until `signal` aborts; stop() then flushes what is left. */
  start(signal?: AbortSignal): void {
    this.timer ??= setInterval(() => this.flush(), this.opts.flushIntervalMs);
    this.timer.unref();
    signal?.addEventListener('abort', () => clearInterval(this.timer), { once: true });
  }

  submitted(row: NewHistoryRow, now = Date.now()): void {
    if (this.opts.durableSubmissions !== false && now - this.directFailedAt >= DIRECT_BACKOFF_MS) {
      try {
        this.repo.insertNow(row);
        this.metrics.historyWrites.inc({ outcome: 'ok' });
        return;
      } catch (e) {
        this.directFailedAt = now;
        this.metrics.historyWrites.inc({ outcome: 'error' });
        this.logger.warn({ err: (e as Error).message }, 'history write failed; queued for retry');
      }
    }
    const size = eventBytes(row.sql, row.errorMessage);
    if (!this.room(size)) return;
    this.inserts.set(row.queryId, row);
    this.bytes += size;
    this.metrics.historyQueue.set(this.size());
  }

  completed(c: HistoryCompletion): void {
    const pending = this.inserts.get(c.queryId);
    if (pending) {
      // Submitted and finished within one batch: one insert carries both.
      const { queryId: _id, ...rest } = c;
      this.bytes += eventBytes('', c.errorMessage) - eventBytes('', pending.errorMessage);
      Object.assign(pending, rest);
      return;
    }
    const size = eventBytes('', c.errorMessage);
    const previous = this.completions.get(c.queryId);
    if (!previous && !this.room(size)) return;
    if (previous) this.bytes -= eventBytes('', previous.errorMessage);
    this.completions.set(c.queryId, c);
    this.bytes += size;
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
    this.bytes = 0;
    this.metrics.historyWrites.inc({ outcome: 'ok' }, inserts.length + completions.length);
    this.metrics.historyQueue.set(0);
    return true;
  }

  /**
   * stop stops the timer and flushes what is queued, retrying every 100 ms for up to `retryMs` (a database
   * locked by a backup); what still cannot be written is logged as lost, with its count.
   */
  async stop(retryMs = 2000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + retryMs;
    while (!this.flush() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (this.size() > 0)
      this.logger.error(
        { lost: this.size() },
        'history events could not be written before shutdown; their rows are repaired at the next start',
      );
  }

  size(): number {
    return this.inserts.size + this.completions.size;
  }

  /** queuedBytes: what the queue holds, as counted against maxQueueBytes. */
  queuedBytes(): number {
    return this.bytes;
  }

  private room(size: number): boolean {
    if (this.size() < this.opts.maxQueue && this.bytes + size <= this.opts.maxQueueBytes) return true;
    this.metrics.historyWrites.inc({ outcome: 'dropped' });
    return false;
  }
}

function eventBytes(sql: string, error: string | null | undefined): number {
  return EVENT_OVERHEAD + sql.length * 2 + (error?.length ?? 0) * 2;
}
