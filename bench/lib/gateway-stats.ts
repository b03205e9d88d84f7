/**
 * What a benchmark reads from inside the gateway process over its IPC channel: event-loop delay (a
 * perf_hooks histogram sampling every 1 ms; Node's default is 10), memory, and history rows.
 * Messages: `{ cmd: 'reset' }` clears the delay histogram; `{ cmd: 'stats' }` answers a GatewayStats;
 * `{ cmd: 'heap' }` writes a heap snapshot (blocking the gateway for seconds) and answers its `file`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
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
  /** Synchronous history writes (one writeBatch or insertMany) since the last reset: wall p99 and max, CPU max, ms. */
  historyWriteP99: number;
  historyWriteMax: number;
  historyWriteCpuMax: number;
  /** Per backend: its undici pool's stats and the relay agent's open sockets. */
  pools: Record<
    string,
    { connected: number; free: number; queued: number; running: number; agentSockets: number }
  >;
}

export function serveStats(gw: Pick<Services, 'db' | 'recorder' | 'registry' | 'store'>): void {
  if (!process.send) return;
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const writes = timeWrites(gw.store.history as unknown as Record<string, (...a: unknown[]) => unknown>);
  const count = gw.db!.sqlite.prepare(
    "SELECT count(*) AS n, coalesce(sum(state = 'FINISHED'), 0) AS f FROM query_history",
  );
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'heap')
      return void process.send!({
        file: writeHeapSnapshot(join(tmpdir(), `gateway-${Date.now()}.heapsnapshot`)),
      });
    if (m.cmd === 'reset') {
      h.reset();
      writes.reset();
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
      ...writes.stats(),
      pools: Object.fromEntries(
        gw.registry.all().map((b) => {
          const p = b.pool.stats;
          const agentSockets = Object.values(b.agent.sockets).reduce((n, l) => n + (l?.length ?? 0), 0);
          return [
            b.name,
            { connected: p.connected, free: p.free, queued: p.queued, running: p.running, agentSockets },
          ];
        }),
      ),
    };
    process.send!(stats);
  });
}

/** ask sends one message to a child started with IPC and resolves with its answer. */
export function ask<T>(
  child: import('node:child_process').ChildProcess,
  cmd: 'reset' | 'stats' | 'heap',
): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send({ cmd });
  });
}

/**
 * timeWrites wraps the history store's two write methods (the SQLite port runs them synchronously inside
 * the call) and keeps each call's wall and CPU time, so the bench can tell the loop time a write takes
 * from the time the process waited for a core.
 */
function timeWrites(store: Record<string, (...a: unknown[]) => unknown>) {
  let wall: number[] = [];
  let cpuMax = 0;
  for (const name of ['writeBatch', 'insertMany']) {
    const fn = store[name]!;
    store[name] = (...args: unknown[]) => {
      const t = performance.now();
      const c = process.cpuUsage();
      try {
        return fn(...args);
      } finally {
        wall.push(performance.now() - t);
        const d = process.cpuUsage(c);
        cpuMax = Math.max(cpuMax, (d.user + d.system) / 1000);
      }
    };
  }
  return {
    reset() {
      wall = [];
      cpuMax = 0;
    },
    stats() {
      const s = [...wall].sort((a, b) => a - b);
      return {
        historyWriteP99: s[Math.floor(s.length * 0.99)] ?? 0,
        historyWriteMax: s[s.length - 1] ?? 0,
        historyWriteCpuMax: cpuMax,
      };
    },
  };
}
