import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../observability/logger.js';
import { METRICS_ASK_KIND, METRICS_PART_KIND, metricsCollector } from './host-metrics.js';
import { isEnvelope, READY_KIND, ROLE_KIND, START_FAILED_KIND, type RoleMessage } from './peer-bus.js';

export interface SupervisorOptions {
  workers: number;
  logger: Logger;
  /** Seconds a stopping worker has before it is killed (server.shutdownGraceSeconds plus a margin). */
  stopTimeoutMs: number;
  /** First restart delay; doubled per crash of the same slot up to maxBackoffMs. Default 200 ms. */
  minBackoffMs?: number;
  /** Default 10 s. */
  maxBackoffMs?: number;
  /** A worker that lived this long starts its slot's backoff over. Default 30 s. */
  stableMs?: number;
}

interface Slot {
  n: number;
  worker?: Worker;
  ready: boolean;
  startedAt: number;
  backoffMs: number;
  timer?: NodeJS.Timeout;
}

/**
 * supervise is the primary process of `server.workers: N`: it forks N workers (each a whole gateway on the
 * shared store), relays their peer messages (peer-bus.ts) and metrics scrapes (host-metrics.ts), names one live worker the leader, restarts a
 * worker that dies (with a backoff per slot), forwards SIGHUP, and on SIGTERM or SIGINT stops every worker
 * and resolves with the exit code. A worker that fails before any worker ever listened is a failed start
 * (a bad config, a port in use): the others are stopped and its exit code returned, with no restarts.
 */
export function supervise(o: SupervisorOptions): Promise<number> {
  const minBackoff = o.minBackoffMs ?? 200;
  const slots: Slot[] = Array.from({ length: o.workers }, (_, i) => ({
    n: i + 1,
    ready: false,
    startedAt: 0,
    backoffMs: minBackoff,
  }));
  let leader: Slot | undefined;
  let everReady = false;
  let failurePrinted = false;
  let stopping = false;
  let code = 0;
  let done: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (done = resolve));

  const live = () => slots.filter((s) => s.worker);
  const send = (s: Slot, m: unknown) => {
    if (!s.worker?.isConnected()) return false;
    s.worker.send(m as object, undefined, () => undefined);
    return true;
  };
  const metrics = metricsCollector();

  const elect = () => {
    if (stopping || (leader && leader.worker)) return;
    leader = slots.find((s) => s.worker && s.ready);
    if (!leader) return;
    const role: RoleMessage = { kind: ROLE_KIND, leader: true };
    send(leader, role);
    o.logger.info({ worker: leader.n }, 'worker leads the once-per-host loops');
  };

  const fork = (s: Slot) => {
    s.timer = undefined;
    s.ready = false;
    s.startedAt = Date.now();
    const w = cluster.fork({ SWITCHYARD_WORKER: String(s.n) });
    s.worker = w;
    w.on('message', (m: unknown) => {
      const kind = (m as { kind?: string } | null)?.kind;
      if (kind === READY_KIND) {
        s.ready = everReady = true;
        return elect();
      }
      if (kind === START_FAILED_KIND) {
        // Every worker fails the same way (a port in use, a bad certificate): the line is printed once.
        const line = String((m as { message?: unknown }).message).slice(0, 4000);
        if (!failurePrinted) process.stderr.write(`switchyard: ${line}\n`);
        failurePrinted = true;
        return;
      }
      if (kind === METRICS_ASK_KIND) {
        // A scrape on this worker: every ready worker's registry (its own included), within a timeout.
        const ready = slots.filter((x) => x.worker && (x.ready || x === s));
        return metrics.ask(
          (a) => send(s, a),
          (m as { id?: unknown }).id,
          ready.map((x) => (c: object) => send(x, c)),
        );
      }
      if (kind === METRICS_PART_KIND) return metrics.part(m);
      if (isEnvelope(m)) for (const other of slots) if (other !== s) send(other, m);
    });
    w.on('exit', (exitCode, signal) => exited(s, w, exitCode, signal));
  };

  const exited = (s: Slot, w: Worker, exitCode: number | null, signal: string | null) => {
    if (s.worker !== w) return;
    s.worker = undefined;
    if (leader === s) leader = undefined;
    if (stopping) {
      // The exit code says how the stop went: a worker that did not drain cleanly makes it 1.
      if (exitCode !== 0 && code === 0) code = exitCode ?? 1;
      if (live().length === 0) done(code);
      return;
    }
    if (!everReady) {
      // Nothing ever listened: the worker said why (startFailed); restarting would say it again forever.
      code = exitCode || 1;
      stop(null);
      return;
    }
    if (Date.now() - s.startedAt >= (o.stableMs ?? 30_000)) s.backoffMs = minBackoff;
    const delay = s.backoffMs;
    s.backoffMs = Math.min(o.maxBackoffMs ?? 10_000, s.backoffMs * 2);
    o.logger.warn(
      { worker: s.n, pid: w.process.pid, code: exitCode, signal, restartInMs: delay },
      'worker exited; restarting it',
    );
    s.timer = setTimeout(() => fork(s), delay);
    elect();
  };

  const stop = (signal: string | null) => {
    if (stopping) return;
    stopping = true;
    if (signal) o.logger.info({ signal, workers: live().length }, 'stopping the workers');
    for (const s of slots) clearTimeout(s.timer);
    for (const s of live()) {
      s.worker!.process.kill('SIGTERM');
      setTimeout(() => s.worker?.process.kill('SIGKILL'), o.stopTimeoutMs).unref();
    }
    if (live().length === 0) done(code);
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    // Only to workers that listen: one still starting has no handler yet, and SIGHUP would end it.
    for (const s of live()) if (s.ready) s.worker!.process.kill('SIGHUP');
  });
  for (const s of slots) fork(s);
  return finished;
}

/** workerCount resolves server.workers: `auto` is one per core the process may use. */
export function workerCount(setting: number | 'auto', parallelism: () => number): number {
  return setting === 'auto' ? Math.max(1, parallelism()) : setting;
}
