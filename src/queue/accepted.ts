import type { IncomingHttpHeaders } from 'node:http';
import type { HeldSubmission, QueuedSubmission } from './queue-gate.js';
import { mayResubmitAfter, mayRunTwice } from './resubmit.js';

/** A submission a cluster accepted, as failover needs it: what to send again, where it went, whether it reads. */
export interface Accepted extends HeldSubmission {
  backend: string;
  /** The statement only reads (mayRunTwice): it may go again even after its cluster got as far as running it. */
  reads: boolean;
}

/** Accepted submissions remembered for failover at most (the oldest goes first). */
const MAX_ACCEPTED = 10_000;

/**
 * AcceptedSubmissions remembers, by the cluster's query id, the submissions whose client has seen nothing
 * but QUEUED pages: only those may go to another backend when their cluster dies or fails them at start.
 * An entry goes when the query ends, when its client moves past the queued pages (its first executing
 * page), or when failover takes it (so a query fails over at most once per attempt). Bounded.
 */
export class AcceptedSubmissions {
  private readonly byId = new Map<string, Accepted>();

  get size(): number {
    return this.byId.size;
  }

  remember(queryId: string, s: QueuedSubmission, headers: IncomingHttpHeaders, backend: string): void {
    if (this.byId.size >= MAX_ACCEPTED) this.byId.delete(this.byId.keys().next().value!);
    this.byId.set(queryId, { s, headers, backend, reads: mayRunTwice(s.sql) });
  }

  /** forget: the query ended, or its client saw more than QUEUED pages. */
  forget(queryId: string): void {
    if (this.byId.size) this.byId.delete(queryId);
  }

  /** takeLost hands over a query whose cluster went away (refused, reset): only a statement that reads. */
  takeLost(queryId: string): Accepted | undefined {
    const a = this.byId.get(queryId);
    if (!a?.reads) return undefined;
    this.byId.delete(queryId);
    return a;
  }

  /**
   * takeFailed hands over a query its cluster failed with a cluster-level error (mayResubmitAfter), when
   * `elsewhere` says a backend it has not failed on yet may take it; that backend joins `failedOn`.
   */
  takeFailed(
    queryId: string,
    errorName: string | undefined,
    elsewhere: (a: Accepted, failedOn: ReadonlySet<string>) => boolean,
  ): Accepted | undefined {
    const a = this.byId.get(queryId);
    if (!a || !mayResubmitAfter(errorName, a.s.sql)) return undefined;
    const failedOn = new Set(a.s.failedOn ?? []).add(a.backend);
    if (!elsewhere(a, failedOn)) return undefined;
    this.byId.delete(queryId);
    a.s.failedOn = failedOn;
    return a;
  }
}
