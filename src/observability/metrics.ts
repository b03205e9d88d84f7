import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VERSION } from '../version.js';

/**
 * Every Switchyard metric, on a registry of its own (never prom-client's global one), so several
 * gateways can live in one process (tests) and nothing else pollutes /metrics.
 * Names follow switchyard_<subsystem>_<name>_<unit>; labels are bounded (backend, group, class),
 * never a user or a query id. Under server.workers: N a scrape sums every worker's (cluster/host-metrics.ts)
 * by each metric's `aggregator`: counters, histograms and per-worker gauges (in-flight, history queue,
 * the leader flag) are summed; gauges every worker reports alike say `max`.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'switchyard_http_requests_total',
    help: 'Requests answered, by route class (statement, followup, query, spooled, ui, info, admin, other) and status class',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly proxyLatency = new Histogram({
    name: 'switchyard_proxy_response_seconds',
    help: 'Time from request to response headers for proxied requests, by route class',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queriesRouted = new Counter({
    name: 'switchyard_routing_queries_total',
    help: 'New queries sent to a backend, by routing group and backend',
    labelNames: ['group', 'backend'] as const,
    registers: [this.registry],
  });
  readonly routingFailures = new Counter({
    name: 'switchyard_routing_failures_total',
    help: 'New queries that could not be routed, by reason (no_backend, forbidden_group, no_group, user_budget)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly submissionRetries = new Counter({
    name: 'switchyard_routing_submission_retries_total',
    help: 'Initial submissions retried on another backend after a refusal',
    labelNames: ['group'] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'switchyard_backend_inflight_queries',
    help: 'Queries the gateway has routed to a backend that have not finished',
    labelNames: ['backend'] as const,
    registers: [this.registry],
  });
  readonly backendState = new Gauge({
    name: 'switchyard_backend_state',
    help: 'Backend health state: 1 for the current state label, 0 otherwise',
    labelNames: ['backend', 'state'] as const,
    // Every worker probes each backend: the host shows a state any worker sees (not N).
    aggregator: 'max',
    registers: [this.registry],
  });
  readonly backendActive = new Gauge({
    name: 'switchyard_backend_active',
    help: '1 when the backend is active (accepts new queries if healthy), 0 when deactivated',
    labelNames: ['backend'] as const,
    // Every worker holds the same flag from the shared store.
    aggregator: 'max',
    registers: [this.registry],
  });
  readonly probeLatency = new Histogram({
    name: 'switchyard_health_probe_seconds',
    help: 'Health probe duration by backend and outcome',
    labelNames: ['backend', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'switchyard_proxy_upstream_errors_total',
    help: 'Transport failures talking to a backend, by backend and kind (refused, reset, timeout, other)',
    labelNames: ['backend', 'kind'] as const,
    registers: [this.registry],
  });
  readonly historyWrites = new Counter({
    name: 'switchyard_history_writes_total',
    help: 'History rows written, by outcome (ok, error, dropped)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'switchyard_replica_leader',
    help: '1 while this replica leads (stats polling, catalog reconcile, retention), else 0; always 1 on SQLite',
    registers: [this.registry],
  });
  readonly historyQueue = new Gauge({
    name: 'switchyard_history_queue_length',
    help: 'History events waiting to be written',
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'switchyard_auth_failures_total',
    help: 'Failed authentications, by method and reason',
    labelNames: ['method', 'reason'] as const,
    registers: [this.registry],
  });
  readonly passwordHashes = new Counter({
    name: 'switchyard_auth_password_hashes_total',
    help: 'Password hashes (scrypt) computed to check a login, Basic and console together',
    registers: [this.registry],
  });
  readonly ruleReloads = new Counter({
    name: 'switchyard_rules_reloads_total',
    help: 'Routing rule reloads, by outcome (ok, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly catalogOps = new Counter({
    name: 'switchyard_catalog_operations_total',
    help: 'Catalog operations applied to backends, by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly queueLength = new Gauge({
    name: 'switchyard_queue_waiting_queries',
    help: "Queries held in the gateway's own queue, by routing group",
    labelNames: ['group'] as const,
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'switchyard_queue_wait_seconds',
    help: "Time queries waited in the gateway's queue before a slot (or their end), by routing group and outcome (started, canceled, abandoned, failed)",
    labelNames: ['group', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly queueRejections = new Counter({
    name: 'switchyard_queue_rejections_total',
    help: "Queries the gateway's queue failed at once or after waiting, by routing group and reason (full, timeout, no_backend)",
    labelNames: ['group', 'reason'] as const,
    registers: [this.registry],
  });
  readonly queueRunning = new Gauge({
    name: 'switchyard_queue_running_slots',
    help: "Slots of the gateway's queue held by running queries, by backend",
    labelNames: ['backend'] as const,
    // A count of the shared slot store, the same on every worker.
    aggregator: 'max',
    registers: [this.registry],
  });
  readonly queueCorrections = new Counter({
    name: 'switchyard_queue_slot_corrections_total',
    help: "Slots the periodic check gave back or took because the count had drifted from the clusters' and the gateway's own view, by backend and direction",
    labelNames: ['backend', 'direction'] as const,
    registers: [this.registry],
  });
  readonly queueFailovers = new Counter({
    name: 'switchyard_queue_failovers_total',
    help: 'Queries that never started resubmitted to another backend of the group, by routing group',
    labelNames: ['group'] as const,
    registers: [this.registry],
  });

  /** Labelled children of requests/proxyLatency per route and status class, resolved once per label set. */
  private readonly proxied = new Map<
    string,
    { count: { inc(): void }; latency: { observe(v: number): void } }
  >();

  /**
   * proxiedRequest counts one answered protocol request and observes its latency (the hot path: the
   * labelled children are looked up once per label set, not per request).
   */
  proxiedRequest(route: string, statusCode: number, seconds: number): void {
    const status = statusClass(statusCode);
    const key = `${route} ${status}`;
    let c = this.proxied.get(key);
    if (!c) {
      c = { count: this.requests.labels(route, status), latency: this.proxyLatency.labels(route) };
      this.proxied.set(key, c);
    }
    c.count.inc();
    c.latency.observe(seconds);
  }

  readonly buildInfo = new Gauge({
    name: 'switchyard_build_info',
    help: 'Always 1; the labels say which Switchyard version runs on which Node.js',
    labelNames: ['version', 'node'] as const,
    // Always 1 per version: summing would count workers.
    aggregator: 'max',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    this.buildInfo.set({ version: VERSION, node: process.versions.node }, 1);
    // prom-client's names already say process_ or nodejs_: switchyard_process_cpu_seconds_total,
    // switchyard_nodejs_heap_size_used_bytes (a prefix of switchyard_process_ doubled the word).
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_' });
  }
}

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx', '6xx', '7xx', '8xx', '9xx'];

/** statusClass maps 404 to "4xx" (the `status` label of switchyard_http_requests_total). */
export function statusClass(code: number): string {
  return STATUS_CLASSES[Math.floor(code / 100)] ?? `${Math.floor(code / 100)}xx`;
}
