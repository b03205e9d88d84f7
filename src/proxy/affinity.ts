import type { Logger } from '../observability/logger.js';
import type { AffinityRepo } from './affinity-repo.js';

const MAX_MEMORY = 100_000;
/** Failed query-affinity writes kept for a retry (the oldest go first beyond this). */
const MAX_PENDING = 10_000;
/** Time between retries of failed query-affinity writes. */
const RETRY_MS = 1_000;

/**
 * Affinity answers "which backend owns query Q / transaction T". Memory first (steady state never
 * reads the database), then SQLite (after a restart, or on another replica). Writes go to both before
 * the client sees the response that revealed the id; a failed database write (the file locked by another
 * process, a full disk) is logged and retried with the next write, memory keeps answering meanwhile, and
 * the follow-up URL's signed handle still routes the query's own polls.
 */
export class Affinity {
  private readonly queries = new Map<string, string>();
  /** The user each query runs as (see queryUser). */
  private readonly users = new Map<string, string>();
  private readonly txns = new Map<string, string>();
  private readonly pending = new Map<string, string>();
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: AffinityRepo,
    private readonly logger: Logger,
    /** The user a query ran as, from where it is kept durably (the history row), for a query memory forgot. */
    private readonly storedUser: (queryId: string) => string | undefined = () => undefined,
  ) {}

  /** rememberQuery records the query's backend and, when given, the user it runs as (its follow-ups' owner). */
  rememberQuery(queryId: string, backend: string, user?: string): void {
    remember(this.queries, queryId, backend);
    if (user !== undefined) remember(this.users, queryId, user);
    // After a failure, new rows queue without touching the database until the retry timer fires.
    if (this.pending.size === 0) {
      const ok = this.safely(() => (this.repo.putQuery(queryId, backend), true), 'query affinity');
      if (ok) return;
    }
    remember(this.pending, queryId, backend, MAX_PENDING);
    this.scheduleRetry();
  }

  /** pendingWrites is how many query-affinity rows wait for the database to take writes again. */
  pendingWrites(): number {
    return this.pending.size;
  }

  /** retryPending writes the rows failed writes left behind, and reschedules itself while some remain. */
  retryPending(): void {
    for (const [id, backend] of this.pending) {
      if (this.safely(() => (this.repo.putQuery(id, backend), true), 'query affinity') === undefined) break;
      this.pending.delete(id);
    }
    if (this.pending.size > 0) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.retry ??= setTimeout(() => {
      this.retry = undefined;
      this.retryPending();
    }, RETRY_MS).unref();
  }

  /** stop cancels the retry timer (pending rows stay in memory only). */
  stop(): void {
    clearTimeout(this.retry);
  }

  queryOwner(queryId: string): string | undefined {
    const hit = this.queries.get(queryId);
    if (hit !== undefined) return hit;
    const stored = this.safely(() => this.repo.getQuery(queryId), 'query affinity');
    if (stored !== undefined) remember(this.queries, queryId, stored);
    return stored;
  }

  /**
   * queryUser is the user a query runs as: memory (every poll in steady state), else the stored history
   * row (after a restart, once per query, then memory again). Undefined when neither knows the query.
   */
  queryUser(queryId: string): string | undefined {
    const hit = this.users.get(queryId);
    if (hit !== undefined) return hit;
    const stored = this.safely(() => this.storedUser(queryId), 'query owner');
    if (stored !== undefined) remember(this.users, queryId, stored);
    return stored;
  }

  rememberTransaction(txnId: string, backend: string): void {
    remember(this.txns, txnId, backend);
    this.safely(() => this.repo.putTransaction(txnId, backend), 'transaction affinity');
  }

  transactionOwner(txnId: string): string | undefined {
    const hit = this.txns.get(txnId);
    if (hit !== undefined) return hit;
    const stored = this.safely(() => this.repo.getTransaction(txnId), 'transaction affinity');
    if (stored !== undefined) remember(this.txns, txnId, stored);
    return stored;
  }

  forgetTransaction(txnId: string): void {
    this.txns.delete(txnId);
    this.safely(() => this.repo.deleteTransaction(txnId), 'transaction affinity');
  }

  private safely<T>(fn: () => T, what: string): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, `${what} store failed`);
      return undefined;
    }
  }
}

/** remember keeps a bounded insertion-ordered map: the oldest entries go first. */
function remember(map: Map<string, string>, key: string, value: string, max = MAX_MEMORY): void {
  if (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
