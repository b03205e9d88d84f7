import type { Metrics } from '../observability/metrics.js';
import { FairQueue } from './fair-queue.js';
import { HeldQuery, type HeldFailure, type Lease } from './held-query.js';
import { newSlug, QueryIds } from './query-ids.js';
import { noBackendInTime, queueFull, waitedTooLong } from './queue-failures.js';
import { isSyncSlotStore, type SlotLimits, type SlotStore, type SyncSlotStore } from './slot-store.js';

/** One group's queue settings, resolved from groups[].queue with their defaults. */
export interface GroupQueueConfig extends SlotLimits {
  maxQueued: number;
  maxQueuedMs: number;
  clientTimeoutMs: number;
}

/** Which backends a query may go to, best first: the group's available pool (isAvailable decided it). */
export type Candidates = (group: string, user: string, exclude: ReadonlySet<string>) => string[];

export type Admission<P> =
  | { kind: 'run'; lease: Lease }
  | { kind: 'queued'; held: HeldQuery<P> }
  | { kind: 'full'; failure: HeldFailure };

const EMPTY: ReadonlySet<string> = new Set();
const DONE: Promise<void> = Promise.resolve();

/** How long a query whose slot came may go unpolled before the slot goes to the next one (see sweep). */
const READY_UNPOLLED_MS = 30_000;

/** How long a failed or gone held query is still remembered, so its client's next poll learns why. */
const FORGET_AFTER_MS = 60_000;

/**
 * AdmissionQueue decides, per routing group with a queue, whether a new query runs now (a slot taken on a
 * backend) or waits, and hands freed slots to waiting queries in the fair queue's order. Every slot it
 * takes is given back exactly once (`release`), however the query ends.
 *
 * With a synchronous store (MemorySlotStore) every decision is synchronous: a take, a release and the
 * hand-out that follows run to the end in one call, with no promise chain (nothing can interleave, so no
 * drain needs chaining either). With an asynchronous store (PgSlotStore) the steps are awaited and drains
 * are chained per group.
 */
export class AdmissionQueue<P = unknown> {
  private readonly queues = new Map<string, FairQueue<HeldQuery<P>>>();
  private readonly held = new Map<string, HeldQuery<P>>();
  private readonly byQuery = new Map<string, Lease>();
  private readonly leases = new Set<Lease>();
  private readonly ids = new QueryIds();
  private draining = new Map<string, Promise<void>>();
  /** Told when the slot store failed a step (a shared store's database): the queue carries on. */
  onStoreError: (e: unknown) => void = () => undefined;
  /** While paused, every new query is held and no slot is handed out (see pause). */
  private paused = false;
  /** The store's synchronous steps, when it has them (the in-memory store). */
  private readonly syncStore: SyncSlotStore | undefined;
  /** A synchronous drain is running (a release inside it only notes that it must look again). */
  private inDrain = false;
  private drainAgain = false;

  constructor(
    private readonly groups: ReadonlyMap<string, GroupQueueConfig>,
    readonly store: SlotStore,
    private readonly candidates: Candidates,
    private readonly metrics?: Metrics,
  ) {
    for (const g of groups.keys()) this.queues.set(g, new FairQueue());
    this.syncStore = isSyncSlotStore(store) ? store : undefined;
  }

  /**
   * pause holds every new query and hands out no slot until resume: at start, until the queries an earlier
   * run left on the clusters are counted again, so the limits hold across a restart.
   */
  pause(): void {
    this.paused = true;
  }

  /** resume lets held queries have the free slots, in fair order. */
  resume(): Promise<void> {
    this.paused = false;
    return Promise.all([...this.queues.keys()].map((g) => this.drain(g))).then(() => undefined);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  governs(group: string): boolean {
    return this.groups.has(group);
  }

  config(group: string): GroupQueueConfig | undefined {
    return this.groups.get(group);
  }

  /**
   * admit runs a query now when nobody of its group waits and a slot is free, else holds it, unless the
   * group already holds maxQueued queries (then QUERY_QUEUE_FULL at once).
   */
  admit(group: string, user: string, priority: number, payload: P, now = Date.now()): Promise<Admission<P>> {
    if (this.syncStore) return Promise.resolve(this.admitNow(group, user, priority, payload, now));
    return this.admitAsync(group, user, priority, payload, now);
  }

  /** admitNow is admit without a promise; only with a synchronous store (see syncStore). */
  private admitNow(group: string, user: string, priority: number, payload: P, now: number): Admission<P> {
    if (this.queues.get(group)!.size === 0 && !this.paused) {
      const lease = this.takeNow(group, user, EMPTY, now);
      if (lease) return { kind: 'run', lease };
    }
    return this.hold(group, user, priority, payload, now);
  }

  private async admitAsync(
    group: string,
    user: string,
    priority: number,
    payload: P,
    now: number,
  ): Promise<Admission<P>> {
    if (this.queues.get(group)!.size === 0 && !this.paused) {
      const lease = await this.take(group, user, EMPTY, now);
      if (lease) return { kind: 'run', lease };
    }
    return this.hold(group, user, priority, payload, now);
  }

  /**
   * hold puts a query in its group's queue (or answers QUERY_QUEUE_FULL); `refusedBy` names backends that
   * refused it just now, which its next try avoids while another backend is available.
   */
  hold(
    group: string,
    user: string,
    priority: number,
    payload: P,
    now = Date.now(),
    refusedBy?: Iterable<string>,
  ): Admission<P> {
    const cfg = this.groups.get(group)!;
    const fq = this.queues.get(group)!;
    if (fq.size >= cfg.maxQueued) {
      this.metrics?.queueRejections.inc({ group, reason: 'full' });
      return {
        kind: 'full',
        failure: queueFull(group, cfg.maxQueued),
      };
    }
    const h = new HeldQuery<P>(this.ids.next(now), newSlug(), group, user, priority, now, payload);
    for (const b of refusedBy ?? []) h.refusedBy.add(b);
    this.held.set(h.id, h);
    fq.push(h);
    this.metrics?.queueLength.set({ group }, fq.size);
    // A slot may have freed between a take and the push (or nobody waited before): look again, if one may be free.
    // (Even with a synchronous store the look comes after the answer, as it does with any store.)
    if (this.mayHaveSlot(group, cfg))
      if (this.syncStore) queueMicrotask(() => void this.drain(group));
      else void this.drain(group);
    return { kind: 'queued', held: h };
  }

  /** get returns a held query by its gateway id (waiting, ready, or recently ended). */
  get(id: string): HeldQuery<P> | undefined {
    return this.held.get(id);
  }

  /**
   * started notes that a ready query went to its cluster: it leaves the queue's memory, and its slot stays
   * taken until release.
   */
  started(h: HeldQuery<P>, now = Date.now()): void {
    this.held.delete(h.id);
    h.changed('started');
    this.metrics?.queueWait.observe({ group: h.group, outcome: 'started' }, (now - h.enqueuedAt) / 1e3);
  }

  /** requeue puts a ready query back at the front of its user's line (its cluster refused it). */
  requeue(h: HeldQuery<P>): void {
    if (h.lease) this.release(h.lease);
    h.lease = undefined;
    this.held.set(h.id, h);
    h.state = 'waiting';
    this.queues.get(h.group)!.push(h, true);
    void this.drain(h.group);
  }

  /** cancel ends a held query that has not gone to a cluster (DELETE while queued); true when it was held. */
  cancel(id: string, now = Date.now()): boolean {
    const h = this.held.get(id);
    if (!h || (h.state !== 'waiting' && h.state !== 'ready')) return false;
    this.end(h, 'canceled', now);
    return true;
  }

  /** bind ties a slot to the cluster's query id, so the query's end (observed by id) gives it back. */
  bind(lease: Lease, queryId: string): void {
    if (lease.released || lease.queryId === queryId) return;
    if (lease.queryId) this.byQuery.delete(lease.queryId);
    lease.queryId = queryId;
    this.byQuery.set(queryId, lease);
  }

  /** ended gives back the slot of a query the gateway saw end (finished, failed, cancelled, abandoned, lost). */
  ended(queryId: string): void {
    const lease = this.byQuery.get(queryId);
    if (lease) this.release(lease);
  }

  /** release gives a slot back (idempotent) and lets the next waiting query of the group have it. */
  release(lease: Lease): void {
    if (lease.released) return;
    lease.released = true;
    this.leases.delete(lease);
    if (lease.queryId) this.byQuery.delete(lease.queryId);
    if (this.syncStore) {
      this.syncStore.giveNow(lease.group, lease.backend, lease.user);
      this.metrics?.queueRunning.set({ backend: lease.backend }, this.syncStore.running(lease.backend));
      this.drainNow(lease.group);
      return;
    }
    this.store
      .give(lease.group, lease.backend, lease.user)
      .then(() => {
        this.metrics?.queueRunning.set({ backend: lease.backend }, this.store.running(lease.backend));
        return this.drain(lease.group);
      })
      .catch((e: unknown) => this.onStoreError(e));
  }

  /** adopt counts a query that already runs (taken back after a restart) whether or not its slot is free. */
  async adopt(
    group: string,
    backend: string,
    user: string,
    queryId: string,
    now = Date.now(),
  ): Promise<void> {
    if (this.byQuery.has(queryId)) return;
    await this.store.force(group, backend, user);
    const lease: Lease = { group, backend, user, takenAt: now, released: false };
    this.leases.add(lease);
    this.bind(lease, queryId);
  }

  /** hasCandidate tells whether the group has an available backend for the user outside `exclude`. */
  hasCandidate(group: string, user: string, exclude: ReadonlySet<string>): boolean {
    return this.candidates(group, user, exclude).length > 0;
  }

  /** mayHaveSlot is a cheap look (the store's sync hint) at whether some backend of the group has room. */
  private mayHaveSlot(group: string, cfg: GroupQueueConfig): boolean {
    const max = cfg.maxRunningPerBackend;
    if (max === undefined) return true;
    for (const b of this.candidates(group, '', EMPTY)) if (this.store.running(b) < max) return true;
    return false;
  }

  /** take finds a backend with a free slot for the user (best candidate first) and takes it. */
  async take(
    group: string,
    user: string,
    exclude: ReadonlySet<string>,
    now = Date.now(),
  ): Promise<Lease | undefined> {
    if (this.syncStore) return Promise.resolve(this.takeNow(group, user, exclude, now));
    const cfg = this.groups.get(group)!;
    for (const backend of this.candidates(group, user, exclude)) {
      if (this.backendFull(backend, cfg)) continue;
      if (await this.store.take(group, backend, user, cfg)) return this.leased(group, backend, user, now);
      // The user is at perUserMaxRunning: no other backend changes that.
      if (this.userFull(group, user, cfg)) return undefined;
    }
    return undefined;
  }

  /** takeNow is take with a synchronous store: the same steps, no promise. */
  private takeNow(
    group: string,
    user: string,
    exclude: ReadonlySet<string>,
    now = Date.now(),
  ): Lease | undefined {
    const store = this.syncStore!;
    const cfg = this.groups.get(group)!;
    for (const backend of this.candidates(group, user, exclude)) {
      if (this.backendFull(backend, cfg)) continue;
      if (store.takeNow(group, backend, user, cfg)) return this.leased(group, backend, user, now);
      if (this.userFull(group, user, cfg)) return undefined;
    }
    return undefined;
  }

  private backendFull(backend: string, cfg: GroupQueueConfig): boolean {
    return cfg.maxRunningPerBackend !== undefined && this.store.running(backend) >= cfg.maxRunningPerBackend;
  }

  private userFull(group: string, user: string, cfg: GroupQueueConfig): boolean {
    return (
      cfg.perUserMaxRunning !== undefined && this.store.userRunning(group, user) >= cfg.perUserMaxRunning
    );
  }

  private leased(group: string, backend: string, user: string, now: number): Lease {
    const lease: Lease = { group, backend, user, takenAt: now, released: false };
    this.leases.add(lease);
    this.metrics?.queueRunning.set({ backend }, this.store.running(backend));
    return lease;
  }

  /**
   * drain hands free slots to waiting queries in fair order, one group at a time (runs are chained, so
   * two releases never hand out one slot twice).
   */
  drain(group: string): Promise<void> {
    if (this.syncStore) {
      this.drainNow(group);
      return DONE;
    }
    const prev = this.draining.get(group) ?? Promise.resolve();
    const run = prev.then(() => this.drainAsync(group)).catch((e: unknown) => this.onStoreError(e));
    this.draining.set(group, run);
    void run.finally(() => {
      if (this.draining.get(group) === run) this.draining.delete(group);
    });
    return run;
  }

  /**
   * drainNow is drain with a synchronous store: it runs to the end in this call. A release inside it (a
   * hand-out to a query cancelled meanwhile) gives its slot back and has this loop look once more.
   */
  private drainNow(group: string): void {
    if (this.paused) return;
    if (this.inDrain) {
      this.drainAgain = true;
      return;
    }
    this.inDrain = true;
    try {
      do {
        this.drainAgain = false;
        this.drainGroupNow(group);
      } while (this.drainAgain);
    } finally {
      this.inDrain = false;
    }
  }

  private drainGroupNow(group: string): void {
    const fq = this.queues.get(group)!;
    const cfg = this.groups.get(group)!;
    while (fq.size > 0) {
      const h = fq.next(cfg.perUserMaxRunning === undefined ? undefined : this.canRunFor(group, cfg));
      if (!h) break;
      // Backends that refused it are avoided while another is available (as in drainAsync).
      if (h.refusedBy.size && this.candidates(group, h.user, h.refusedBy).length === 0) h.refusedBy.clear();
      const lease = this.takeNow(group, h.user, h.refusedBy);
      if (!lease) {
        fq.putBack(h);
        if (this.candidates(group, h.user, h.refusedBy).length === 0) h.noBackendSince ??= Date.now();
        break;
      }
      if (!this.handOut(h, lease)) continue;
    }
    this.metrics?.queueLength.set({ group }, fq.size);
  }

  /** handOut gives a slot to a query next() took; false (and the slot back) when it left meanwhile. */
  private handOut(h: HeldQuery<P>, lease: Lease): boolean {
    if (h.state !== 'waiting') {
      this.release(lease); // cancelled meanwhile
      return false;
    }
    h.noBackendSince = undefined;
    h.lease = lease;
    h.changed('ready');
    return true;
  }

  private canRunFor(group: string, cfg: GroupQueueConfig): (h: HeldQuery<P>) => boolean {
    const perUser = cfg.perUserMaxRunning!;
    return (h) => this.store.userRunning(group, h.user) < perUser;
  }

  private async drainAsync(group: string): Promise<void> {
    if (this.paused) return;
    const fq = this.queues.get(group)!;
    const cfg = this.groups.get(group)!;
    const canRun = cfg.perUserMaxRunning === undefined ? undefined : this.canRunFor(group, cfg);
    while (fq.size > 0) {
      const h = fq.next(canRun);
      if (!h) break;
      // Backends that refused it are avoided while another is available; when none is, they are tried
      // again (at most once per poll of its client, since the poll submits it).
      if (h.refusedBy.size && this.candidates(group, h.user, h.refusedBy).length === 0) h.refusedBy.clear();
      let lease: Lease | undefined;
      try {
        lease = await this.take(group, h.user, h.refusedBy);
      } catch (e) {
        fq.putBack(h); // the store failed: it keeps its place for the next try
        throw e;
      }
      if (!lease) {
        fq.putBack(h);
        if (this.candidates(group, h.user, h.refusedBy).length === 0) h.noBackendSince ??= Date.now();
        break;
      }
      this.handOut(h, lease);
    }
    this.metrics?.queueLength.set({ group }, fq.size);
  }

  /**
   * sweep ends held queries nobody polled for the client timeout (abandoned, as Trino's
   * query.client.timeout), fails those that waited past maxQueuedSeconds, and forgets ended ones.
   */
  sweep(now = Date.now()): void {
    for (const h of this.held.values()) {
      const cfg = this.groups.get(h.group)!;
      if (h.state === 'failed' || h.state === 'gone') {
        if (now - h.lastPoll > FORGET_AFTER_MS) this.held.delete(h.id);
      } else if (now - h.lastPoll > cfg.clientTimeoutMs) this.end(h, 'abandoned', now);
      // A waiting client polls about every second (each poll is held up to a second): one that has not
      // come back for its slot within READY_UNPOLLED_MS is gone, and the slot goes to the next in line.
      else if (h.state === 'ready' && now - h.lastPoll > READY_UNPOLLED_MS) this.end(h, 'abandoned', now);
      else if (h.state === 'waiting' && now - h.enqueuedAt > cfg.maxQueuedMs) this.fail(h, now);
    }
  }

  private fail(h: HeldQuery<P>, now: number): void {
    const cfg = this.groups.get(h.group)!;
    const noBackend = this.candidates(h.group, h.user, h.refusedBy).length === 0;
    this.metrics?.queueRejections.inc({ group: h.group, reason: noBackend ? 'no_backend' : 'timeout' });
    h.failure = noBackend
      ? noBackendInTime(h.group, cfg.maxQueuedMs)
      : waitedTooLong(h.group, cfg.maxQueuedMs);
    this.leave(h, 'failed', now);
  }

  private end(h: HeldQuery<P>, outcome: 'canceled' | 'abandoned', now: number): void {
    this.leave(h, outcome, now);
  }

  private leave(h: HeldQuery<P>, outcome: 'canceled' | 'abandoned' | 'failed', now: number): void {
    const fq = this.queues.get(h.group)!;
    fq.remove(h);
    if (h.lease) this.release(h.lease);
    h.lease = undefined;
    h.changed(outcome === 'failed' ? 'failed' : 'gone');
    this.metrics?.queueLength.set({ group: h.group }, fq.size);
    this.metrics?.queueWait.observe({ group: h.group, outcome }, (now - h.enqueuedAt) / 1e3);
  }

  /** waiting lists a group's (or every group's) held queries in the order they would be served. */
  waiting(group?: string): HeldQuery<P>[] {
    const out: HeldQuery<P>[] = [];
    for (const [g, fq] of this.queues)
      if (group === undefined || g === group) out.push(...fq.inOrder(10_000));
    return out;
  }

  /** queuedCount is how many queries a group holds waiting. */
  queuedCount(group: string): number {
    return this.queues.get(group)?.size ?? 0;
  }

  /** heldLeases lists the slots taken now (for the drift check). */
  heldLeases(): Iterable<Lease> {
    return this.leases;
  }
}
