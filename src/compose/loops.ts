import { settleHistory } from '../history/start-up.js';
import type { Services } from './services.js';

/**
 * startLoops starts every background loop with the one stop signal: history flushing, following the other
 * replicas' changes (PostgreSQL), the tracker's
 * sweep, retention, health checks (with stats polling; resolved after the first round), load samples,
 * catalog reconciliation and the start-up history repair (the rule watcher got the signal when the rules
 * were opened). Resolves with the repair's promise, which settles once the repair is done or aborted.
 */
export async function startLoops(
  s: Services,
  signal: AbortSignal,
  bornAt: number,
): Promise<{ historyRepaired: Promise<unknown> }> {
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
  s.retention.start(signal);
  await s.monitor?.start(signal);
  s.loadSamples.start(() => s.registry.all(), signal);
  const c = s.config.catalogs;
  s.catalogs.start(
    c.reconcileIntervalSeconds * 1000,
    { onHealthy: (fn) => s.monitor?.on('healthy', fn) },
    signal,
  );
  const historyRepaired = settleHistory({
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
  return { historyRepaired };
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
