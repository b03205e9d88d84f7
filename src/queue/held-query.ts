import type { Queued } from './fair-queue.js';
import type { HeldFacts } from './queued-page.js';

/** A slot: one running (or about to run) query counted on one backend for one user of a group. */
export interface Lease {
  readonly group: string;
  readonly backend: string;
  readonly user: string;
  readonly takenAt: number;
  /** The cluster's query id, once its first answer named it: the query's end gives the slot back. */
  queryId?: string;
  released: boolean;
}

/**
 * waiting: in the fair queue. ready: a slot is taken for it, its next poll submits it. started: handed to a
 * cluster. failed: the queue gave up on it (its next poll gets the error). gone: cancelled or abandoned.
 */
export type HeldState = 'waiting' | 'ready' | 'started' | 'failed' | 'gone';

export interface HeldFailure {
  message: string;
  errorName: string;
  errorCode: number;
  errorType: 'INSUFFICIENT_RESOURCES' | 'INTERNAL_ERROR' | 'USER_ERROR' | 'EXTERNAL';
}

/**
 * HeldQuery is one query the gateway holds back, with what it needs to submit it later (`payload`: the
 * statement and the submission's headers, opaque here). Its pages come from its own facts (id, slug, token).
 */
export class HeldQuery<P = unknown> implements Queued, HeldFacts {
  removed = false;
  state: HeldState = 'waiting';
  token = 1;
  lease?: Lease;
  failure?: HeldFailure;
  lastPoll: number;
  /** When the queue began to find no available backend in the group (for maxQueuedSeconds and the reason). */
  noBackendSince?: number;
  /** Backends a submission of this query was refused by (failover never goes back to them). */
  readonly refusedBy = new Set<string>();
  private waiters: (() => void)[] = [];

  constructor(
    readonly id: string,
    readonly slug: string,
    readonly group: string,
    readonly user: string,
    readonly priority: number,
    readonly enqueuedAt: number,
    readonly payload: P,
  ) {
    this.lastPoll = enqueuedAt;
  }

  /** changed wakes the polls waiting on this query (a slot came, it failed, it was cancelled). */
  changed(state: HeldState): void {
    this.state = state;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** until resolves when the query leaves `waiting`, or after ms (a long poll, as Trino's maxWait). */
  until(ms: number): Promise<void> {
    if (this.state !== 'waiting') return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.waiters = self.waiters.filter((f) => f !== done);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
