import type { Logger } from '../observability/logger.js';
import type { AffinityStore } from '../store/ports.js';

const MAX_MEMORY = 100_000;
/** Failed query-affinity writes kept for a retry (the oldest go first beyond this). */
const MAX_PENDING = 10_000;
/** Time between retries of failed query-affinity writes. */
const RETRY_MS = 1_000;

/**
 * Affinity answers "which backend owns query Q / transaction T". Memory answers every lookup (steady state
 * never reads the store); `recall` and `recallTransaction` fill memory from the store for an id memory does
 * not know (after a restart, or one another replica served), and are awaited only then. Writes go to
 * memory at once and to the store through its async port (SQLite's is done when it returns); a failed
 * write (the file locked by another process, PostgreSQL away) is logged and retried, memory keeps
 * answering meanwhile, and the follow-up URL's signed handle still routes the query's own polls.
 */
export class Affinity {
  private readonly queries = new Map<string, string>();
  /** The user each query runs as (see queryUser). */
  private readonly users = new Map<string, string>();
  private readonly txns = new Map<string, string>();
  private readonly pending = new Map<string, string>();
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: AffinityStore,
    private readonly logger: Logger,
    /** The user a query ran as, from where it is kept durably (the history row), for a query memory forgot. */
    private readonly storedUser: (queryId: string) => Promise<string | undefined> = async () => undefined,
  ) {}

  /** rememberQuery records the query's backend and, when given, the user it runs as (its follow-ups' owner). */
  rememberQuery(queryId: string, backend: string, user?: string): void {
    remember(this.queries, queryId, backend);
    if (user !== undefined) remember(this.users, queryId, user);
    // After a failure, new rows queue without touching the store until the retry timer fires.
    if (this.pending.size > 0) return this.queue(queryId, backend);
    this.repo.putQuery(queryId, backend).catch((e: unknown) => {
      this.warn(e, 'query affinity');
      this.queue(queryId, backend);
    });
  }

  /** pendingWrites is how many query-affinity rows wait for the store to take writes again. */
  pendingWrites(): number {
    return this.pending.size;
  }

  /** retryPending writes the rows failed writes left behind, and reschedules itself while some remain. */
  async retryPending(): Promise<void> {
    for (const [id, backend] of this.pending) {
      try {
        await this.repo.putQuery(id, backend);
      } catch (e) {
        this.warn(e, 'query affinity');
        break;
      }
      this.pending.delete(id);
    }
    if (this.pending.size > 0) this.scheduleRetry();
  }

  private queue(queryId: string, backend: string): void {
    remember(this.pending, queryId, backend, MAX_PENDING);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.retry ??= setTimeout(() => {
      this.retry = undefined;
      void this.retryPending();
    }, RETRY_MS).unref();
  }

  /** stop cancels the retry timer (pending rows stay in memory only). */
  stop(): void {
    clearTimeout(this.retry);
  }

  /** knows: memory holds the query's owner and user (no recall needed). */
  knows(queryId: string): boolean {
    return this.queries.has(queryId) && this.users.has(queryId);
  }

  /**
   * recall reads the owner and the user of a query memory does not know from the store (once per query,
   * then memory answers). A store that fails counts as not knowing: the follow-up is then a 404.
   */
  async recall(queryId: string): Promise<void> {
    const [owner, user] = await Promise.all([
      this.queries.has(queryId)
        ? undefined
        : this.safely(() => this.repo.getQuery(queryId), 'query affinity'),
      this.users.has(queryId) ? undefined : this.safely(() => this.storedUser(queryId), 'query owner'),
    ]);
    if (owner !== undefined) remember(this.queries, queryId, owner);
    if (user !== undefined) remember(this.users, queryId, user);
  }

  /** queryOwner is the backend memory knows for the query (see recall). */
  queryOwner(queryId: string): string | undefined {
    return this.queries.get(queryId);
  }

  /** queryUser is the user memory knows the query runs as (see recall). */
  queryUser(queryId: string): string | undefined {
    return this.users.get(queryId);
  }

  rememberTransaction(txnId: string, backend: string): void {
    remember(this.txns, txnId, backend);
    void this.safely(() => this.repo.putTransaction(txnId, backend), 'transaction affinity');
  }

  /** recallTransaction reads the owner of a transaction memory does not know from the store. */
  async recallTransaction(txnId: string): Promise<void> {
    if (this.txns.has(txnId)) return;
    const stored = await this.safely(() => this.repo.getTransaction(txnId), 'transaction affinity');
    if (stored !== undefined) remember(this.txns, txnId, stored);
  }

  /** transactionOwner is the backend memory knows for the transaction (see recallTransaction). */
  transactionOwner(txnId: string): string | undefined {
    return this.txns.get(txnId);
  }

  forgetTransaction(txnId: string): void {
    this.txns.delete(txnId);
    void this.safely(() => this.repo.deleteTransaction(txnId), 'transaction affinity');
  }

  private async safely<T>(fn: () => Promise<T>, what: string): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.warn(e, what);
      return undefined;
    }
  }

  private warn(e: unknown, what: string): void {
    this.logger.warn({ err: (e as Error).message }, `${what} store failed`);
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
