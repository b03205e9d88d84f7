import type { BackendRegistry } from '../backends/registry.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { QueryOutcome } from './final-page.js';

export interface QueryStart {
  queryId: string;
  backend: string;
  group: string;
  user: string;
  source?: string;
  clientAddress?: string;
  rule?: string;
  policy?: string;
  sql: string;
}

interface Live {
  backend: string;
  /** For the finished-query log line (references to strings the request already holds). */
  user: string;
  source?: string;
  group: string;
  rule?: string;
  submittedAt: number;
  lastSeen: number;
  /** A poll failed as if the cluster lost the query; cleared by the next answered poll. */
  lost?: { since: number; outcome: QueryOutcome };
}

/**
 * QueryTracker follows each query the gateway routed from its first page to its last: the backend's
 * in-flight count goes up once and down once (finished, canceled or abandoned), and history gets the
 * row and its completion. Everything here is O(1) on the request path.
 */
export class QueryTracker {
  private readonly live = new Map<string, Live>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: BackendRegistry,
    private readonly recorder: HistoryRecorder,
    private readonly metrics: Metrics,
    private readonly abandonAfterMs: number,
    private readonly redactSql: (sql: string) => string = (s) => s,
    /** How long a query whose polls failed (cluster gone or restarted) waits for an answered poll before it ends FAILED. */
    private readonly lostGraceMs = 10_000,
    /** Writes one info line per finished query; none when absent. */
    private readonly logger?: Logger,
  ) {}

  start(): void {
    const every = Math.min(30_000, this.abandonAfterMs / 2, this.lostGraceMs);
    this.sweeper ??= setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  started(q: QueryStart, now = Date.now()): void {
    if (this.live.has(q.queryId)) return;
    this.live.set(q.queryId, {
      backend: q.backend,
      user: q.user,
      source: q.source,
      group: q.group,
      rule: q.rule,
      submittedAt: now,
      lastSeen: now,
    });
    this.adjust(q.backend, +1);
    this.metrics.queriesRouted.inc({ group: q.group, backend: q.backend });
    this.recorder.submitted({
      queryId: q.queryId,
      user: q.user,
      source: q.source ?? null,
      clientAddress: q.clientAddress ?? null,
      routingGroup: q.group,
      rule: q.rule ?? null,
      policy: q.policy ?? null,
      backend: q.backend,
      sql: this.redactSql(q.sql),
      submittedAt: now,
      state: 'RUNNING',
    });
  }

  /** seen notes a poll, so a query that is still polled is never taken for abandoned. */
  seen(queryId: string, now = Date.now()): void {
    const l = this.live.get(queryId);
    if (l) l.lastSeen = now;
  }

  /**
   * lost notes that a poll failed the way it does when the cluster no longer has the query (refused,
   * reset, or the cluster's 404). One such answer proves little — a network blip, or a request with a
   * forged slug — so the query ends (with `outcome`) only if no poll is answered within the grace period.
   */
  lost(queryId: string, outcome: QueryOutcome, now = Date.now()): void {
    const l = this.live.get(queryId);
    if (l) l.lost ??= { since: now, outcome };
  }

  /** answered notes a poll the cluster answered normally: the query is alive. */
  answered(queryId: string): void {
    const l = this.live.get(queryId);
    if (l?.lost) l.lost = undefined;
  }

  finished(queryId: string, outcome: QueryOutcome, now = Date.now()): void {
    const l = this.live.get(queryId);
    if (!l) {
      // Not ours in memory (e.g. started before a restart): still complete its history row.
      this.recorder.completed({ queryId, finishedAt: now, ...nullify(outcome) });
      this.logFinished(queryId, outcome, outcome.elapsedMs);
      return;
    }
    this.live.delete(queryId);
    this.adjust(l.backend, -1);
    const elapsedMs = outcome.elapsedMs ?? now - l.submittedAt;
    this.recorder.completed({ queryId, finishedAt: now, ...nullify(outcome), elapsedMs });
    this.logFinished(queryId, outcome, elapsedMs, l);
  }

  /** logFinished writes the query's one info line: who, from where, where it ran, how it ended. */
  private logFinished(queryId: string, o: QueryOutcome, elapsedMs?: number, l?: Live): void {
    if (!this.logger?.isLevelEnabled('info')) return;
    this.logger.info(
      {
        queryId,
        user: l?.user,
        source: l?.source,
        group: l?.group,
        rule: l?.rule,
        backend: l?.backend,
        state: o.state,
        elapsedMs,
        rows: o.rows,
        errorName: o.errorName,
      },
      'query finished',
    );
  }

  canceled(queryId: string, now = Date.now()): void {
    if (!this.live.has(queryId)) return;
    this.finished(queryId, { state: 'CANCELED', errorName: 'USER_CANCELED', errorType: 'USER_ERROR' }, now);
  }

  /**
   * sweep ends queries nobody polled for longer than Trino's client timeout, and lost queries whose grace
   * period passed without an answered poll.
   */
  sweep(now = Date.now()): void {
    for (const [id, l] of this.live) {
      if (l.lost && now - l.lost.since >= this.lostGraceMs) this.finished(id, l.lost.outcome, now);
      else if (now - l.lastSeen > this.abandonAfterMs) this.finished(id, { state: 'ABANDONED' }, now);
    }
  }

  liveCount(): number {
    return this.live.size;
  }

  private adjust(backend: string, delta: number): void {
    const b = this.registry.get(backend);
    if (!b) return;
    b.inFlight = Math.max(0, b.inFlight + delta);
    this.metrics.inFlight.set({ backend }, b.inFlight);
  }
}

function nullify(o: QueryOutcome) {
  return {
    state: o.state,
    errorName: o.errorName ?? null,
    errorType: o.errorType ?? null,
    errorMessage: o.errorMessage ?? null,
    rows: o.rows ?? null,
    bytes: o.bytes ?? null,
    elapsedMs: o.elapsedMs ?? null,
  };
}
