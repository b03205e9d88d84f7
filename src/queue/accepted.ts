import type { IncomingHttpHeaders } from 'node:http';
import type { HeldSubmission, QueuedSubmission } from './queue-gate.js';
import { mayResubmitAfter, mayRunTwice } from './resubmit.js';

/** A submission a cluster accepted, as failover needs it: what to send again, where it went, whether it reads. */
export interface Accepted extends HeldSubmission {
  backend: string;
  /** The statement only reads (mayRunTwice): it may go again even after its cluster got as far as running it. */
  reads: boolean;
}

/** Accepted submissions remembered for failover at most, and their statements' bytes (the oldest go first). */
const MAX_ACCEPTED = 10_000;
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * AcceptedSubmissions remembers, by the cluster's query id, the submissions whose client has seen nothing
 * but QUEUED pages: only those may go to another backend when their cluster dies or fails them at start.
 * An entry goes when the query ends, when its client moves past the queued pages (its first executing
 * page), or when failover takes it (so a query fails over at most once per attempt). Bounded in count
 * and in statement bytes (64 MiB; the oldest go first).
 */
export class AcceptedSubmissions {
  private readonly byId = new Map<string, Accepted>();
  private bytes = 0;

  get size(): number {
    return this.byId.size;
  }

  remember(queryId: string, s: QueuedSubmission, headers: IncomingHttpHeaders, backend: string): void {
    if (s.body.length > MAX_BYTES) return;
    this.drop(queryId);
    while (this.byId.size >= MAX_ACCEPTED || this.bytes + s.body.length > MAX_BYTES)
      this.drop(this.byId.keys().next().value!);
    this.byId.set(queryId, { s, headers, backend, reads: mayRunTwice(s.sql) });
    this.bytes += s.body.length;
  }

  /** forget: the query ended, or its client saw more than QUEUED pages. */
  forget(queryId: string): void {
    if (this.byId.size) this.drop(queryId);
  }

  private drop(queryId: string): Accepted | undefined {
    const a = this.byId.get(queryId);
    if (!a) return undefined;
    this.byId.delete(queryId);
    this.bytes -= a.s.body.length;
    return a;
  }

  /** takeLost hands over a query whose cluster went away (refused, reset): only a statement that reads. */
  takeLost(queryId: string): Accepted | undefined {
    const a = this.byId.get(queryId);
    if (!a?.reads) return undefined;
    return this.drop(queryId);
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
    this.drop(queryId);
    a.s.failedOn = failedOn;
    return a;
  }
}
