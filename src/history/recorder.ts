import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { HistoryStore } from '../store/ports.js';
import type { HistoryCompletion, NewHistoryRow } from './history-repo.js';

export interface RecorderOptions {
  flushIntervalMs: number;
  /** Events held at most. */
  maxQueue: number;
  /** Memory held at most, in bytes: SQL and error text (UTF-16, as held) plus a fixed overhead per event. */
  maxQueueBytes: number;
  /**
   * Write a submission's row at once, in the event-loop turn that saw it, so a crash loses no row (a WAL
   * append; see bench/history-durability.ts). Completions stay batched. Default true.
   */
  durableSubmissions?: boolean;
  /**
   * Rows written in one transaction at most. A larger flush is written in slices of this many, each its
   * own transaction, with the event loop free between them: a synchronous store (better-sqlite3) holds
   * the loop for one slice, not for the whole flush (history.maxBatchRows). Default 64.
   */
  maxBatchRows?: number;
}

/** What the recorder needs of the history store. */
export type HistoryWriter = Pick<HistoryStore, 'writeBatch' | 'insertMany'>;

/** Bytes counted for an event besides its SQL and error text (ids, names, numbers, map entry). */
const EVENT_OVERHEAD = 256;
/** After a failed immediate write, submissions are queued instead for this long (no busy wait per query). */
const DIRECT_BACKOFF_MS = 1000;
/** Default of RecorderOptions.maxBatchRows: tens of µs per row, so about a millisecond of loop per slice. */
const MAX_BATCH_ROWS = 64;
/** Lets the event loop run (I/O callbacks, the responses waiting) before the next slice is written. */
const yieldLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * HistoryRecorder takes history events on the request path and writes them to the history store:
 * submissions at once (durable: every submission of one event-loop turn in one prepared, batched write,
 * right after the turn's responses), completions in batches off that path. The queue is bounded by events
 * and by bytes: beyond either, events are dropped and counted, so a stuck database never holds up a client
 * or grows memory. A failed write is kept and retried on the next tick (counted as errors); the client
 * never sees it. Writes go one after another, so a completion never overtakes its row's insert.
 */
export class HistoryRecorder {
  private inserts = new Map<string, NewHistoryRow>();
  private completions = new Map<string, HistoryCompletion>();
  private bytes = 0;
  /** Submissions of this event-loop turn, written together at its end (setImmediate). */
  private turn: NewHistoryRow[] = [];
  private turnDone: Promise<void> | undefined;
  /** Events being written now (counted against the bounds until the write settles). */
  private writing = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private flushing: Promise<boolean> | undefined;
  private directFailedAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: HistoryWriter,
    private readonly opts: RecorderOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** start flushes every interval until `signal` aborts; stop() then flushes what is left. */
  start(signal?: AbortSignal): void {
    this.timer ??= setInterval(() => void this.flush(), this.opts.flushIntervalMs);
    this.timer.unref();
    signal?.addEventListener('abort', () => clearInterval(this.timer), { once: true });
  }

  /**
   * submitted records a new query's row. Durable: it joins this turn's write, and the promise resolves once
   * the row is stored or, the write failing, queued for retry. Never rejects; callers need not wait.
   */
  submitted(row: NewHistoryRow, now = Date.now()): Promise<void> {
    if (this.opts.durableSubmissions !== false && now - this.directFailedAt >= DIRECT_BACKOFF_MS) {
      this.turn.push(row);
      this.turnDone ??= new Promise<void>((resolve) => setImmediate(() => this.writeTurn().then(resolve)));
      return this.turnDone;
    }
    this.queueInsert(row);
    return Promise.resolve();
  }

  /**
   * writeTurn writes a turn's submissions at once, in one write, not behind a running flush (which yields
   * the loop between its slices): the rows are stored in the turn right after the responses that named
   * them, so a crash loses none. A turn holds as many submissions as one loop turn answered: few.
   */
  private async writeTurn(): Promise<void> {
    const rows = this.turn;
    this.turn = [];
    this.turnDone = undefined;
    this.writing += rows.length;
    try {
      await this.repo.insertMany(rows);
      this.metrics.historyWrites.inc({ outcome: 'ok' }, rows.length);
    } catch (e) {
      this.directFailedAt = Date.now();
      this.metrics.historyWrites.inc({ outcome: 'error' }, rows.length);
      this.logger.warn({ err: (e as Error).message }, 'history write failed; queued for retry');
      for (const r of rows) this.queueInsert(r);
    } finally {
      this.writing -= rows.length;
    }
  }

  private queueInsert(row: NewHistoryRow): void {
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

  /** flush writes everything queued now; resolves to whether the write succeeded (a running flush is shared). */
  flush(): Promise<boolean> {
    // A completion may be for a row still in this turn's insert: that insert goes first, else the
    // completion's update finds no row and the row, inserted after it, stays RUNNING.
    this.flushing ??= Promise.resolve(this.turnDone)
      .then(() => this.serially(() => this.writeQueued()))
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /**
   * writeQueued writes what is queued in slices of maxBatchRows (inserts first: a completion in the queue
   * belongs to a row written before it). Each slice is all or nothing; when one fails, it and the slices
   * after it are queued again, and the slices before it stay written.
   */
  private async writeQueued(): Promise<boolean> {
    if (this.inserts.size + this.completions.size === 0) return true;
    const inserts = [...this.inserts.values()];
    const completions = [...this.completions.values()];
    this.inserts = new Map();
    this.completions = new Map();
    this.bytes = 0;
    let left = inserts.length + completions.length;
    this.writing += left;
    const max = this.maxBatchRows;
    for (let i = 0, c = 0; i < inserts.length || c < completions.length;) {
      const ins = inserts.slice(i, i + max);
      const comps = completions.slice(c, c + max - ins.length);
      const n = ins.length + comps.length;
      if (i + c > 0) await yieldLoop();
      try {
        await this.repo.writeBatch(ins, comps);
      } catch (e) {
        this.writing -= left;
        this.requeue(
          new Map(inserts.slice(i).map((r) => [r.queryId, r])),
          new Map(completions.slice(c).map((x) => [x.queryId, x])),
        );
        this.metrics.historyWrites.inc({ outcome: 'error' }, left);
        this.logger.warn(
          { err: (e as Error).message, queued: this.size() },
          'history write failed; will retry',
        );
        return false;
      }
      i += ins.length;
      c += comps.length;
      left -= n;
      this.writing -= n;
      this.metrics.historyWrites.inc({ outcome: 'ok' }, n);
    }
    this.metrics.historyQueue.set(this.size());
    return true;
  }

  private get maxBatchRows(): number {
    return Math.max(1, this.opts.maxBatchRows ?? MAX_BATCH_ROWS);
  }

  /** requeue puts a failed batch back under what arrived meanwhile (a newer completion wins). */
  private requeue(inserts: Map<string, NewHistoryRow>, completions: Map<string, HistoryCompletion>): void {
    for (const [id, c] of this.completions) if (!completions.has(id)) completions.set(id, c);
    this.completions = completions;
    this.inserts = new Map([...inserts, ...this.inserts]);
    this.bytes = 0;
    for (const r of this.inserts.values()) this.bytes += eventBytes(r.sql, r.errorMessage);
    for (const c of this.completions.values()) this.bytes += eventBytes('', c.errorMessage);
    this.metrics.historyQueue.set(this.size());
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * stop stops the timer and flushes what is queued, retrying every 100 ms for up to `retryMs` (a database
   * locked by a backup); what still cannot be written is logged as lost, with its count.
   */
  async stop(retryMs = 2000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.turnDone;
    const deadline = Date.now() + retryMs;
    while (!(await this.flush()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (this.size() > 0)
      this.logger.error(
        { lost: this.size() },
        'history events could not be written before shutdown; their rows are repaired at the next start',
      );
  }

  /** size: events held (queued, in this turn's write, or being written). */
  size(): number {
    return this.inserts.size + this.completions.size + this.turn.length + this.writing;
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
