import { describe, expect, it } from 'vitest';
import type { Backend, BackendStats } from '../../src/backends/backend.js';
import type { BackendRegistry } from '../../src/backends/registry.js';
import type { HealthProbe } from '../../src/health/health-probe.js';
import { infoAndStatsProbe } from '../../src/health/probes.js';
import { SharedStats, STATS_KEY } from '../../src/health/shared-stats.js';
import type { StatsReader } from '../../src/health/stats-reader.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { SettingsStore } from '../../src/store/ports.js';

const stats = (updatedAt: number): BackendStats => ({
  runningQueries: 3,
  queuedQueries: 1,
  blockedQueries: 0,
  updatedAt,
});

function settings(): SettingsStore & { rows: Map<string, string> } {
  const rows = new Map<string, string>();
  return {
    rows,
    get: async (k) => rows.get(k),
    set: async (k, v) => void rows.set(k, v),
    getOrCreateSecret: async () => 'x',
  };
}

describe('SharedStats', () => {
  it('the leader publishes the load its probes read; a follower takes it while it is fresh', async () => {
    const store = settings();
    const backends = [{ name: 't1', stats: stats(1_000) }, { name: 't2' }] as Backend[];
    const registry = { all: () => backends } as unknown as BackendRegistry;
    let now = 1_000;
    const common = { settings: store, registry, intervalMs: 100, logger: silentLogger(), now: () => now };
    const leader = new SharedStats({ ...common, leads: () => true });
    const follower = new SharedStats({ ...common, leads: () => false });
    await leader.round();
    expect(JSON.parse(store.rows.get(STATS_KEY)!)).toEqual({ t1: stats(1_000) });
    await follower.round();
    expect([follower.get('t1'), follower.get('t2')]).toEqual([stats(1_000), undefined]);
    now = 1_301; // older than three intervals: a dead leader's numbers
    expect(follower.get('t1')).toBeUndefined();
  });

  it('a follower probe never asks the cluster for its load; the leader probe does', async () => {
    const info: HealthProbe = { probe: async () => ({ state: 'HEALTHY' }) };
    let reads = 0;
    const reader = { read: async () => (reads++, stats(5)) } as unknown as StatsReader;
    const b = { name: 't1' } as Backend;
    const signal = new AbortController().signal;
    let leading = false;
    const probe = infoAndStatsProbe(info, reader, { leads: () => leading, get: () => stats(7) });
    expect(await probe.probe(b, signal)).toEqual({ state: 'HEALTHY', stats: stats(7) });
    expect(reads).toBe(0);
    leading = true;
    expect(await probe.probe(b, signal)).toEqual({ state: 'HEALTHY', stats: stats(5) });
    expect(reads).toBe(1);
  });
});
