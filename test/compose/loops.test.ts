import { afterEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import type { Leadership } from '../../src/cluster/leadership.js';
import { drainServices, startLoops } from '../../src/compose/loops.js';
import { openResources } from '../../src/compose/open-resources.js';
import { buildServices, type Services } from '../../src/compose/services.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { testConfig } from '../helpers/start-gateway.js';

const HOUR = 3_600_000;

async function services(
  extra: Record<string, unknown> = {},
  backends = [{ name: 't1', url: 'http://127.0.0.1:9' }],
): Promise<{ s: Services; stop: AbortController }> {
  const cfg = parseConfig(stringify(testConfig(backends, extra)), { baseDir: process.cwd() });
  const stop = new AbortController();
  const logger = silentLogger();
  const metrics = new Metrics();
  const r = await openResources(cfg, logger, metrics, stop.signal);
  return { s: buildServices(cfg, r, { logger, metrics }), stop };
}

/** A worker that does not lead (another worker of the host runs the once-per-host loops). */
const follower = (s: Services): Services => {
  const leadership: Leadership = { isLeader: () => false, on: () => undefined };
  return { ...s, replica: { ...s.replica, leadership } };
};

const spiesOn = (s: Services) => ({
  recorder: vi.spyOn(s.recorder, 'flush'),
  retention: vi.spyOn(s.retention, 'runOnce'),
  samples: vi.spyOn(s.loadSamples, 'record'),
  sweep: vi.spyOn(s.tracker as unknown as { sweep: () => void }, 'sweep'),
  reconcile: vi.spyOn(
    (s.catalogs as unknown as { reconciler: { reconcileAll: () => Promise<void> } }).reconciler,
    'reconcileAll',
  ),
});

afterEach(() => void vi.useRealTimers());

describe('startLoops', () => {
  it('runs every loop until the one stop signal aborts, and none after', async () => {
    const { s, stop } = await services({ health: { enabled: false } });
    await s.registry.remove('t1'); // nothing to reach: the loops run, no cluster is asked anything
    vi.useFakeTimers();
    const spies = spiesOn(s);
    const { historyRepaired } = await startLoops(s, stop.signal, Date.now());
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    for (const [name, spy] of Object.entries(spies)) expect(spy.mock.calls.length, name).toBeGreaterThan(1);
    stop.abort();
    for (const spy of Object.values(spies)) spy.mockClear();
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    for (const [name, spy] of Object.entries(spies)) expect(spy.mock.calls.length, name).toBe(0);
    vi.useRealTimers();
    await drainServices(s, historyRepaired());
    expect(s.db!.sqlite.open).toBe(false);
  });

  it('runs retention and catalog reconciliation only on the leader; the rest on every worker', async () => {
    const built = await services({ health: { enabled: false } });
    await built.s.registry.remove('t1');
    const s = follower(built.s);
    vi.useFakeTimers();
    const spies = spiesOn(s);
    const { historyRepaired } = await startLoops(s, built.stop.signal, Date.now());
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    expect(spies.retention).not.toHaveBeenCalled();
    expect(spies.reconcile).not.toHaveBeenCalled();
    expect(spies.recorder.mock.calls.length).toBeGreaterThan(1);
    expect(spies.sweep.mock.calls.length).toBeGreaterThan(1);
    built.stop.abort();
    vi.useRealTimers();
    await drainServices(s, historyRepaired());
  });

  it('opens the queue once the start-up history repair has counted, at once on a follower', async () => {
    const queued = {
      health: { enabled: false },
      groups: [{ name: 'adhoc' }, { name: 'q', queue: { maxRunningPerBackend: 1 } }],
    };
    const backends = [{ name: 'q1', url: 'http://127.0.0.1:9', group: 'q' }];
    const closed = { queued: true, reason: 'the gateway is counting the queries that ran before its start' };
    for (const lead of [true, false]) {
      const built = await services(queued, backends);
      const s = lead ? built.s : follower(built.s);
      expect(s.queue!.wouldWait('q', 'alice')).toEqual(closed);
      const { historyRepaired } = await startLoops(s, built.stop.signal, Date.now());
      await historyRepaired();
      const deadline = Date.now() + 20_000;
      while (s.queue!.wouldWait('q', 'alice')?.queued) {
        if (Date.now() > deadline) throw new Error(`the queue did not open (leading: ${lead})`);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(s.queue!.wouldWait('q', 'alice')).toEqual({ queued: false });
      built.stop.abort();
      await drainServices(s, historyRepaired());
    }
  });
});

describe('drainServices', () => {
  it('waits for a running history repair before it flushes the recorder, then closes the database', async () => {
    const { s, stop } = await services({ health: { enabled: false } });
    const recorderStop = vi.spyOn(s.recorder, 'stop');
    let catalogsStopped = false;
    const catalogsStop = s.catalogs.stop.bind(s.catalogs);
    vi.spyOn(s.catalogs, 'stop').mockImplementation(() =>
      catalogsStop().then(() => void (catalogsStopped = true)),
    );
    stop.abort();
    let repaired!: () => void;
    const drained = drainServices(s, new Promise<void>((r) => (repaired = r)));
    const deadline = Date.now() + 20_000;
    while (!catalogsStopped) {
      if (Date.now() > deadline) throw new Error('the catalogs did not stop');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setImmediate(r));
    expect(recorderStop).not.toHaveBeenCalled();
    repaired();
    await drained;
    expect(recorderStop).toHaveBeenCalledOnce();
    expect(s.db!.sqlite.open).toBe(false);
  });
});
