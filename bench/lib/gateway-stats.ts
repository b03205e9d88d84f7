/**
 * What a benchmark reads from inside the gateway process over its IPC channel: event-loop delay (a
 * perf_hooks histogram sampling every 1 ms; Node's default is 10), memory, and history rows.
 * Messages: `{ cmd: 'reset' }` clears the delay histogram; `{ cmd: 'stats' }` answers a GatewayStats.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Services } from '../../src/compose/services.js';

export interface GatewayStats {
  /** Event-loop delay since the last reset, ms. */
  loopP50: number;
  loopP99: number;
  loopMax: number;
  rss: number;
  heapUsed: number;
  /** Rows in query_history, and how many of them are FINISHED. */
  historyRows: number;
  historyFinished: number;
  /** Rows the history recorder holds in memory, not yet written. */
  historyQueued: number;
}

export function serveStats(gw: Pick<Services, 'db' | 'recorder'>): void {
  if (!process.send) return;
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const count = gw.db!.sqlite.prepare(
    "SELECT count(*) AS n, coalesce(sum(state = 'FINISHED'), 0) AS f FROM query_history",
  );
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'reset') {
      h.reset();
      return void process.send!({ ok: true });
    }
    const { n, f } = count.get() as { n: number; f: number };
    const mem = process.memoryUsage();
    const stats: GatewayStats = {
      loopP50: h.percentile(50) / 1e6,
      loopP99: h.percentile(99) / 1e6,
      loopMax: h.max / 1e6,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      historyRows: n,
      historyFinished: f,
      historyQueued: gw.recorder.size(),
    };
    process.send!(stats);
  });
}

/** ask sends one message to a child started with IPC and resolves with its answer. */
export function ask<T>(child: import('node:child_process').ChildProcess, cmd: 'reset' | 'stats'): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send({ cmd });
  });
}
