import { AggregatorRegistry, Gauge, type PrometheusContentType, type Registry } from 'prom-client';

/**
 * /metrics for the whole host under server.workers: N. The worker that gets the scrape asks the primary
 * (METRICS_ASK_KIND); the primary asks every ready worker, the asker included (METRICS_COLLECT_KIND), and
 * answers with every part that came within its timeout (METRICS_ANSWER_KIND); the asker merges them with
 * prom-client's AggregatorRegistry.aggregate: each metric by its `aggregator` (metrics.ts: counters,
 * histograms and per-worker gauges are summed; gauges every worker reports alike take the largest).
 */
export const METRICS_ASK_KIND = 'switchyard:metrics-ask';
export const METRICS_COLLECT_KIND = 'switchyard:metrics-collect';
export const METRICS_PART_KIND = 'switchyard:metrics-part';
export const METRICS_ANSWER_KIND = 'switchyard:metrics-answer';

/** How long the primary waits for the workers' parts; a stuck worker is left out, not waited for. */
export const COLLECT_TIMEOUT_MS = 2000;
/** How long a worker waits for the primary's answer before it answers its own metrics alone. */
export const ASK_TIMEOUT_MS = 3000;

export interface MetricsAnswer {
  kind: typeof METRICS_ANSWER_KIND;
  id: number;
  parts: object[][];
  /** Workers asked that did not answer within the timeout. */
  missing: number;
}

const kindOf = (m: unknown) => (m as { kind?: unknown } | null)?.kind;

/**
 * hostMetrics is a worker's side: it answers the primary's collects with its own registry, and returns
 * the registry to serve for a scrape (the host's, or its own alone when the primary did not answer).
 */
export function hostMetrics(own: Registry, proc: NodeJS.Process = process): () => Promise<Registry> {
  let next = 0;
  const waiting = new Map<number, (a: MetricsAnswer) => void>();
  const send = (m: object) => {
    if (!proc.send || !proc.connected) return false;
    try {
      proc.send(m, undefined, {}, () => undefined);
      return true;
    } catch {
      return false; // the channel closed meanwhile: the worker is stopping
    }
  };
  proc.on('message', (m: unknown) => {
    const kind = kindOf(m);
    if (kind === METRICS_COLLECT_KIND) {
      const id = (m as { id?: unknown }).id;
      void own.getMetricsAsJSON().then(
        (metrics) => send({ kind: METRICS_PART_KIND, id, metrics }),
        () => send({ kind: METRICS_PART_KIND, id, metrics: [] }),
      );
    } else if (kind === METRICS_ANSWER_KIND) {
      const a = m as MetricsAnswer;
      waiting.get(a.id)?.(a);
    }
  });
  return async () => {
    const id = ++next;
    const answer = await new Promise<MetricsAnswer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ASK_TIMEOUT_MS);
      waiting.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      if (!send({ kind: METRICS_ASK_KIND, id })) resolve(undefined);
    }).finally(() => waiting.delete(id));
    if (!answer || !Array.isArray(answer.parts) || answer.parts.length === 0) return own;
    const host = AggregatorRegistry.aggregate<PrometheusContentType>(answer.parts);
    host.setContentType(own.contentType);
    const workers = new Gauge({
      name: 'switchyard_metrics_workers',
      help: 'Workers whose metrics this scrape sums (answered) and those that did not answer in time (missing)',
      labelNames: ['state'] as const,
      registers: [host],
    });
    workers.set({ state: 'answered' }, answer.parts.length);
    workers.set({ state: 'missing' }, answer.missing);
    return host;
  };
}

interface Collect {
  asker: (m: MetricsAnswer) => void;
  askerId: number;
  expected: number;
  parts: object[][];
  timer: NodeJS.Timeout;
}

/**
 * metricsCollector is the primary's side: ask(from, id, workers) sends a collect to each worker and
 * answers `from` once all parts came or COLLECT_TIMEOUT_MS passed; part(m) takes a worker's reply.
 */
export function metricsCollector(timeoutMs = COLLECT_TIMEOUT_MS) {
  let next = 0;
  const open = new Map<number, Collect>();
  const finish = (cid: number) => {
    const c = open.get(cid);
    if (!c) return;
    open.delete(cid);
    clearTimeout(c.timer);
    c.asker({
      kind: METRICS_ANSWER_KIND,
      id: c.askerId,
      parts: c.parts,
      missing: c.expected - c.parts.length,
    });
  };
  return {
    ask(reply: (m: MetricsAnswer) => void, askerId: unknown, sendTo: Array<(m: object) => boolean>) {
      if (typeof askerId !== 'number') return;
      const cid = ++next;
      const c: Collect = {
        asker: reply,
        askerId,
        expected: 0,
        parts: [],
        timer: setTimeout(() => finish(cid), timeoutMs),
      };
      open.set(cid, c);
      for (const send of sendTo) if (send({ kind: METRICS_COLLECT_KIND, id: cid })) c.expected++;
      if (c.expected === 0) finish(cid);
    },
    part(m: unknown) {
      const { id, metrics } = m as { id?: unknown; metrics?: unknown };
      const c = typeof id === 'number' ? open.get(id) : undefined;
      if (!c || !Array.isArray(metrics)) return;
      c.parts.push(metrics as object[]);
      if (c.parts.length >= c.expected) finish(id as number);
    },
  };
}
