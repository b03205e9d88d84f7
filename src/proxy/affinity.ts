import type { Logger } from '../observability/logger.js';
import type { AffinityRepo } from './affinity-repo.js';

const MAX_MEMORY = 100_000;

/**
 * Affinity answers "which backend owns query Q / transaction T". Memory first (steady state never
 * reads the database), then SQLite (after a restart, or on another replica). Writes go to both before
 * the client sees the response that revealed the id; a failed database write is logged, and the
 * follow-up URL's signed handle still routes the query's own polls.
 */
export class Affinity {
  private readonly queries = new Map<string, string>();
  private readonly txns = new Map<string, string>();

  constructor(
    private readonly repo: AffinityRepo,
    private readonly logger: Logger,
  ) {}

  rememberQuery(queryId: string, backend: string): void {
    remember(this.queries, queryId, backend);
    this.safely(() => this.repo.putQuery(queryId, backend), 'query affinity');
  }

  queryOwner(queryId: string): string | undefined {
    const hit = this.queries.get(queryId);
    if (hit !== undefined) return hit;
    const stored = this.safely(() => this.repo.getQuery(queryId), 'query affinity');
    if (stored !== undefined) remember(this.queries, queryId, stored);
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
function remember(map: Map<string, string>, key: string, value: string): void {
  if (map.size >= MAX_MEMORY) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
