import { whileLeading } from '../cluster/while-leading.js';
import { settleHistory } from '../history/start-up.js';
import type { Services } from './services.js';

/** The longest the queue stays closed at start while the history repair counts an earlier run's queries. */
const QUEUE_OPEN_WAIT_MS = 30_000;

/**
 * startLoops starts every background loop with the one stop signal: history flushing, following the other
 * replicas' changes (PostgreSQL), the tracker's sweep, health checks (with stats polling; resolved after
 * the first round), load samples, and, while this process leads (always, alone), retention, catalog
 * reconciliation and the start-up history repair (the rule watcher got the signal when the rules were
 * opened). Resolves with a getter of the repair's promise, which settles once the repair is done or aborted.
 */
export async function startLoops(
  s: Services,
  signal: AbortSignal,
  bornAt: number,
): Promise<{ historyRepaired: () => Promise<unknown> }> {
  s.recorder.start(signal);
  await s.replicas?.start(signal);
  // The leader (always this process on SQLite) runs stats polling, reconcile and retention for all.
  s.leadership.start(signal);
  s.metrics.leader.set(s.leadership.isLeader() ? 1 : 0);
  s.leadership.on('change', (leading) => {
    s.metrics.leader.set(leading ? 1 : 0);
    if (!leading || signal.aborted) return;
    void s.catalogs.reconcileAll();
    void s.retention.runOnce();
  });
  s.sharedStats?.start(signal);
  s.tracker.start(signal);
  s.queue?.start(signal);
  await s.monitor?.start(signal);
  s.loadSamples.start(() => s.registry.all(), signal);
  let historyRepaired: Promise<unknown> = Promise.resolve();
  // Once per host (server.workers) or deployment: the leader's.
  whileLeading(s.replica.leadership, signal, (term) => {
    s.retention.start(term);
    startReconcile(s, term);
    historyRepaired = repairHistory(s, term, bornAt);
  });
  // The queue opens once the queries an earlier run left on the clusters are taken back and counted: by the
  // repair when this process leads at start (its callback ran above), at once for a worker that does not;
  // after QUEUE_OPEN_WAIT_MS at the latest (a repair asking unreachable clusters about many rows takes
  // long); queries it takes back later are counted by the queue's next drift round.
  const counted = Promise.race([
    historyRepaired,
    new Promise((r) => setTimeout(r, QUEUE_OPEN_WAIT_MS).unref()),
  ]);
  void counted
    .then(() => s.queue?.open())
    .catch((e: unknown) => s.logger.error({ err: String(e) }, 'the queue could not open'));
  return { historyRepaired: () => historyRepaired };
}

function startReconcile(s: Services, signal: AbortSignal): void {
  const c = s.config.catalogs;
  s.catalogs.start(
    c.reconcileIntervalSeconds * 1000,
    { onHealthy: (fn) => s.monitor?.on('healthy', fn) },
    signal,
  );
}

function repairHistory(s: Services, signal: AbortSignal, bornAt: number): Promise<unknown> {
  const c = s.config.catalogs;
  return settleHistory({
    repo: s.store.history,
    recorder: s.recorder,
    registry: s.registry,
    tracker: s.tracker,
    bornAt,
    maxSqlBytes: s.config.history.maxSqlBytes,
    isSecretKey: s.isSecretProperty,
    user: c.user,
    timeoutMs: s.config.health.timeoutSeconds * 1000,
    logger: s.logger,
    signal,
  });
}

/**
 * drainServices runs after the signal aborted and the listener closed: waits for catalog work already on
 * a backend, lets a running history repair finish briefly (its answers land in the recorder), flushes the
 * recorder, then closes connections and the database.
 */
export async function drainServices(s: Services, historyRepaired: Promise<unknown>): Promise<void> {
  await s.catalogs.stop();
  await Promise.race([historyRepaired, new Promise((r) => setTimeout(r, 2000).unref())]);
  await s.recorder.stop();
  s.affinity.stop();
  s.forwarder.close();
  s.registry.close();
  await s.store.close();
}
