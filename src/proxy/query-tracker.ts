import type { BackendRegistry } from '../backends/registry.js';
import type { HistoryCompletion } from '../history/history-repo.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { Logger } from '../observability/logger.js';
import { storedError, type StoredSql } from '../history/stored-sql.js';
import type { Metrics } from '../observability/metrics.js';
import { GatewayError } from '../trino/errors.js';
import type { QueryOutcome } from './final-page.js';
import { UserBudgets, type BudgetLimits } from './user-budgets.js';

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
  /** Milliseconds it waited in the gateway's queue before this submission (history's queued time). */
  queuedMs?: number;
}

export interface TrackerOptions extends BudgetLimits {
  /** A query nobody polled for this long is ABANDONED (Trino's client timeout). */
  abandonAfterMs: number;
  /** A query whose first answer was never followed by a poll is ABANDONED after this long. */
  unpolledAbandonMs: number;
  /** How long a query whose polls failed (cluster gone or restarted) waits for an answered poll before it ends FAILED. */
  lostGraceMs: number;
  /** What a history row keeps of a statement (bounded prefix, redacted; length and hash). */
  storeSql: (sql: string) => StoredSql;
  /** Which property keys are secret, to scrub error texts. */
  isSecretKey: (key: string) => boolean;
  /** Writes one info line per finished query; none when absent. */
  logger?: Logger;
  /** Told when a followed query ends, however it ends (the gateway's queue gives its slot back). */
  onEnded?: (queryId: string) => void;
  /** Other processes that may follow the query (server.workers): told of polls and ends seen here. */
  peers?: TrackerPeers;
}

/** What other processes on the store learn from this tracker (see seenElsewhere and endedElsewhere). */
export interface TrackerPeers {
  /** A poll of a query this process does not follow (another process may: it should not abandon it). */
  seen(queryId: string): void;
  /**
   * A query ended here. The process that follows it drops it; `completion` (when this one did not follow
   * it) is recorded there too, so it lands after that process's own insert of the row, however late.
   */
  ended(queryId: string, completion?: HistoryCompletion): void;
}

interface Live {
  backend: string;
  /** For the finished-query log line (references to strings the request already holds). */
  user: string;
  source?: string;
  group?: string;
  rule?: string;
  submittedAt: number;
  lastSeen: number;
  /** Whether any follow-up came after the first answer. */
  polled: boolean;
  /** Secrets the statement carried (only for statements naming a catalog), to scrub its error text. */
  redaction?: Pick<StoredSql, 'secrets' | 'unseenCatalogText'>;
  /** A poll failed as if the cluster lost the query; cleared by the next answered poll. */
  lost?: { since: number; outcome: QueryOutcome };
}

/**
 * QueryTracker follows each query the gateway routed from its first page to its last: the backend's
 * in-flight count goes up once and down once (finished, canceled or abandoned), the user's budgets likewise,
 * and history gets the row and its completion. Everything here is O(1) on the request path, except the
 * bounded work of storedSql on a submission.
 */
export class QueryTracker {
  private readonly live = new Map<string, Live>();
  private readonly budgets: UserBudgets;
  /** Queries not live here whose end was seen (after a restart), so a late adopt does not revive them. */
  private readonly endedAway = new Set<string>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: BackendRegistry,
    private readonly recorder: HistoryRecorder,
    private readonly metrics: Metrics,
    private readonly o: TrackerOptions,
  ) {
    this.budgets = new UserBudgets(o);
  }

  start(signal?: AbortSignal): void {
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    const o = this.o;
    const every = Math.min(30_000, o.abandonAfterMs / 2, o.lostGraceMs, o.unpolledAbandonMs / 2);
    this.sweeper ??= setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** admit refuses a new query of a user over one of its budgets (Trino's QUERY_QUEUE_FULL, a failed query). */
  admit(user: string): GatewayError | undefined {
    const over = this.budgets.over(user);
    if (!over) return undefined;
    this.metrics.routingFailures.inc({ reason: 'user_budget' });
    return new GatewayError(429, 'QUERY_QUEUE_FULL', over, 'INSUFFICIENT_RESOURCES');
  }

  /** started takes on a query when the answer naming its id arrives (submission-attempt.ts), before the client sees it. */
  started(q: QueryStart, now = Date.now()): void {
    if (this.live.has(q.queryId)) return;
    const stored = this.o.storeSql(q.sql);
    const redaction =
      stored.secrets.length > 0 || stored.unseenCatalogText
        ? { secrets: stored.secrets, unseenCatalogText: stored.unseenCatalogText }
        : undefined;
    this.live.set(q.queryId, {
      backend: q.backend,
      user: q.user,
      source: q.source,
      group: q.group,
      rule: q.rule,
      submittedAt: now,
      lastSeen: now,
      polled: false,
      redaction,
    });
    this.budgets.started(q.user);
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
      sql: stored.sql,
      sqlBytes: stored.sqlBytes,
      sqlSha256: stored.sqlSha256,
      submittedAt: now,
      queuedMs: q.queuedMs ?? null,
      state: 'RUNNING',
    });
  }

  /**
   * adopt takes back a query that was running before a restart (the cluster says so), so that its
   * client's polls or the abandon sweep end it and its history row.
   */
  adopt(queryId: string, backend: string, user: string, now = Date.now()): void {
    if (this.live.has(queryId) || this.endedAway.has(queryId)) return;
    this.live.set(queryId, { backend, user, submittedAt: now, lastSeen: now, polled: true });
    this.budgets.started(user);
    this.budgets.polled(user);
    this.adjust(backend, +1);
  }

  /** seen notes a poll, so a query that is still polled is never taken for abandoned. */
  seen(queryId: string, now = Date.now()): void {
    const l = this.live.get(queryId);
    if (!l) return this.o.peers?.seen(queryId);
    l.lastSeen = now;
    if (!l.polled) {
      l.polled = true;
      this.budgets.polled(l.user);
    }
  }

  /** seenElsewhere: another process served a poll of the query; it is alive. */
  seenElsewhere(queryId: string, now = Date.now()): void {
    if (this.live.has(queryId)) this.seen(queryId, now);
  }

  /** endedElsewhere: another process saw the query end and completed its history; counters drop here. */
  endedElsewhere(queryId: string, completion?: HistoryCompletion): void {
    const l = this.live.get(queryId);
    this.remember(queryId);
    if (!l) return;
    if (completion?.queryId === queryId) this.recorder.completed(completion);
    this.live.delete(queryId);
    this.o.onEnded?.(queryId);
    this.budgets.ended(l.user, l.polled);
    this.adjust(l.backend, -1);
  }

  private remember(queryId: string): void {
    if (this.endedAway.size >= 10_000) this.endedAway.clear();
    this.endedAway.add(queryId);
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

  /**
   * finished is the one place a query's end is observed, however it ended: its last page (FINISHED or
   * FAILED, final-page.ts), a cancel (canceled), or the sweep (ABANDONED, or FAILED when its cluster died
   * and no poll was answered in the grace period). Counters drop and the history row completes here.
   */
  finished(queryId: string, outcome: QueryOutcome, now = Date.now()): void {
    const l = this.live.get(queryId);
    const errorMessage = storedError(outcome.errorMessage, l?.redaction, this.o.isSecretKey);
    if (!l) {
      // Not ours in memory (started before a restart, or by another worker): still complete its row.
      this.remember(queryId);
      const c = { queryId, finishedAt: now, ...nullify(outcome), errorMessage };
      this.recorder.completed(c);
      this.o.peers?.ended(queryId, c);
      this.logFinished(queryId, outcome, outcome.elapsedMs);
      return;
    }
    this.o.peers?.ended(queryId);
    this.live.delete(queryId);
    this.o.onEnded?.(queryId);
    this.budgets.ended(l.user, l.polled);
    this.adjust(l.backend, -1);
    const elapsedMs = outcome.elapsedMs ?? now - l.submittedAt;
    this.recorder.completed({
      queryId,
      finishedAt: now,
      ...nullify(outcome),
      errorMessage,
      elapsedMs,
    });
    this.logFinished(queryId, outcome, elapsedMs, l);
  }

  /** logFinished writes the query's one info line: who, from where, where it ran, how it ended. */
  private logFinished(queryId: string, o: QueryOutcome, elapsedMs?: number, l?: Live): void {
    const logger = this.o.logger;
    if (!logger?.isLevelEnabled('info')) return;
    logger.info(
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
   * sweep ends queries nobody polled for longer than Trino's client timeout, queries never polled after
   * their first answer for unpolledAbandonMs, and lost queries whose grace period passed without an
   * answered poll.
   */
  sweep(now = Date.now()): void {
    for (const [id, l] of this.live) {
      if (l.lost && now - l.lost.since >= this.o.lostGraceMs) this.finished(id, l.lost.outcome, now);
      else if (now - l.lastSeen > this.o.abandonAfterMs) this.finished(id, { state: 'ABANDONED' }, now);
      else if (!l.polled && now - l.submittedAt > this.o.unpolledAbandonMs)
        this.finished(id, { state: 'ABANDONED', errorMessage: 'never polled after its first answer' }, now);
    }
  }

  /** liveQueries lists the queries followed now (the queue's drift check compares its slots with them). */
  *liveQueries(): IterableIterator<{ queryId: string; backend: string; group?: string; user: string }> {
    for (const [queryId, l] of this.live) yield { queryId, backend: l.backend, group: l.group, user: l.user };
  }

  /** usage: a user's live and never-polled query counts (for tests and the admin view). */
  usage(user: string): { inFlight: number; unpolled: number } {
    return this.budgets.usage(user);
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
