import { isAvailable } from '../backends/backend.js';
import type { BackendPicker } from '../backends/picker.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { HandleCodec } from '../proxy/handle-codec.js';
import type { LiveQuery } from './drift-check.js';
import type { ConsoleQueue } from '../ui/pages/queue.js';
import { AdmissionQueue, type Candidates, type GroupQueueConfig } from './admission.js';
import { DriftCheck } from './drift-check.js';
import { QUEUE_OWNER, QueueGate, type HeldSubmission } from './queue-gate.js';
import { MemorySlotStore, type SlotStore } from './slot-store.js';

/** Defaults of groups[].queue (documented in src/config/schema.ts). */
const DEFAULT_MAX_QUEUED = 1000;
const DEFAULT_MAX_QUEUED_SECONDS = 600;

export interface QueueServiceDeps {
  registry: BackendRegistry;
  picker: BackendPicker;
  codec: HandleCodec;
  metrics: Metrics;
  logger: Logger;
  /** The queries the gateway follows (its query tracker), for the drift check. */
  live: () => Iterable<LiveQuery>;
  /** Default: the in-memory store (single node). */
  store?: SlotStore;
}

/** queueConfigs resolves every group's queue settings with their defaults; groups without `queue` are absent. */
export function queueConfigs(cfg: GatewayConfig): Map<string, GroupQueueConfig> {
  const out = new Map<string, GroupQueueConfig>();
  for (const g of cfg.groups) {
    const q = g.queue;
    if (!q) continue;
    out.set(g.name, {
      maxRunningPerBackend: q.maxRunningPerBackend,
      perUserMaxRunning: q.perUserMaxRunning,
      maxQueued: q.maxQueued ?? DEFAULT_MAX_QUEUED,
      maxQueuedMs: (q.maxQueuedSeconds ?? DEFAULT_MAX_QUEUED_SECONDS) * 1000,
      clientTimeoutMs: (q.clientTimeoutSeconds ?? cfg.proxy.abandonAfterMinutes * 60) * 1000,
    });
  }
  return out;
}

/**
 * QueueService is the queue as the gateway builds it: the admission queue over a slot store, the gate the
 * proxy talks to, and the background rounds (expiry of held queries, the drift check), which stop through
 * stop(). Built only when some group has a queue.
 */
export class QueueService {
  readonly admission: AdmissionQueue<HeldSubmission>;
  readonly gate: QueueGate;
  readonly drift: DriftCheck;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    cfg: GatewayConfig,
    private readonly d: QueueServiceDeps,
  ) {
    const store: SlotStore = d.store ?? new MemorySlotStore();
    this.admission = new AdmissionQueue(queueConfigs(cfg), store, this.candidates(store), d.metrics);
    this.admission.onStoreError = (e) => d.logger.warn({ err: String(e) }, 'queue slot store failed');
    // Slots another replica gave back are handed out here too (a shared store sees them at its heartbeat).
    store.onRefresh = () => {
      for (const g of queueConfigs(cfg).keys())
        if (this.admission.queuedCount(g) > 0) void this.admission.drain(g);
    };
    const handle = d.codec.encode(QUEUE_OWNER);
    this.gate = new QueueGate(this.admission, cfg.server.publicUrl, handle, d.logger);
    const freshMs = cfg.health.intervalSeconds * 3000;
    this.drift = new DriftCheck(
      this.admission as AdmissionQueue<unknown>,
      {
        live: d.live,
        clusterCount: (name) => {
          const s = d.registry.get(name)?.stats;
          if (!s || Date.now() - s.updatedAt > freshMs) return undefined;
          return { queries: s.runningQueries + s.queuedQueries, at: s.updatedAt };
        },
        groupOf: (name) => d.registry.get(name)?.group,
      },
      d.metrics,
    );
    this.driftEveryMs = Math.max(1000, cfg.health.intervalSeconds * 1000);
    // Closed until open(): the queries an earlier run left on the clusters are not counted yet.
    this.admission.pause();
  }

  /**
   * open counts the queries the gateway follows (among them those the start-up history repair took back
   * from the clusters) against the slots, then lets queries run. Called once that repair is done; until
   * then new queries are held, so an earlier run's queries still count against maxRunningPerBackend.
   */
  async open(): Promise<void> {
    try {
      await this.drift.run();
    } catch (e) {
      this.d.logger.warn({ err: String(e) }, 'queue drift check failed');
    }
    await this.admission.resume();
  }

  private readonly driftEveryMs: number;

  /** start runs the expiry sweep and the drift check until stop() or the signal aborts. */
  start(signal?: AbortSignal): void {
    if (this.timers.length) return;
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    const sweep = setInterval(() => this.admission.sweep(), 1000);
    const drift = setInterval(() => {
      this.drift
        .run()
        .catch((e: unknown) => this.d.logger.warn({ err: String(e) }, 'queue drift check failed'));
    }, this.driftEveryMs);
    for (const t of [sweep, drift]) t.unref();
    this.timers = [sweep, drift];
    this.admission.store.start?.(this.admission.onStoreError);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.admission.store.stop?.();
  }

  /** consoleView is the queue as the console lists and cancels it. */
  consoleView(): ConsoleQueue {
    return consoleQueue(this.admission as AdmissionQueue<unknown>);
  }

  /**
   * wouldWait tells the routing dry run whether a new query of user in group would be held now, and why.
   */
  wouldWait(group: string, user: string): { queued: boolean; reason?: string } | undefined {
    const cfg = this.admission.config(group);
    if (!cfg) return undefined;
    const store = this.admission.store;
    const waiting = this.admission.queuedCount(group);
    if (this.admission.isPaused)
      return { queued: true, reason: 'the gateway is counting the queries that ran before its start' };
    if (waiting > 0) return { queued: true, reason: `${waiting} queries of the group are waiting` };
    if (cfg.perUserMaxRunning !== undefined && store.userRunning(group, user) >= cfg.perUserMaxRunning)
      return { queued: true, reason: `the user runs perUserMaxRunning (${cfg.perUserMaxRunning}) queries` };
    const pool = this.d.picker.pool(group);
    if (pool.length === 0) return { queued: true, reason: 'no backend of the group is available' };
    const max = cfg.maxRunningPerBackend;
    if (max !== undefined && pool.every((b) => store.running(b.name) >= max))
      return { queued: true, reason: `every available backend runs maxRunningPerBackend (${max}) queries` };
    return { queued: false };
  }

  /**
   * candidates orders a group's available backends for a new query: the group's policy's own pick first,
   * then the others by fewest slots held (the fallback group's when the group has none available).
   */
  private candidates(store: SlotStore): Candidates {
    const { registry, picker } = this.d;
    return (group, user, exclude) => {
      let pool = picker.pool(group).filter((b) => !exclude.has(b.name));
      const fallback = registry.group(group)?.fallback;
      if (pool.length === 0 && fallback) pool = picker.pool(fallback).filter((b) => !exclude.has(b.name));
      if (pool.length <= 1) return pool.map((b) => b.name);
      const first = picker.pick(group, { user })?.backend;
      const rest = pool
        .filter((b) => b !== first && isAvailable(b))
        .sort((a, b) => store.running(a.name) - store.running(b.name) || a.inFlight - b.inFlight);
      return [...(first && !exclude.has(first.name) ? [first.name] : []), ...rest.map((b) => b.name)];
    };
  }
}

/** consoleQueue lists an admission queue's held queries in serving order, and cancels them. */
export function consoleQueue(admission: AdmissionQueue<unknown>): ConsoleQueue {
  return {
    list: (limit) =>
      admission
        .waiting()
        .slice(0, limit)
        .map((h, i) => ({
          position: i + 1,
          id: h.id,
          user: h.user,
          group: h.group,
          priority: h.priority,
          since: h.enqueuedAt,
        })),
    cancel: (id) => admission.cancel(id),
  };
}
