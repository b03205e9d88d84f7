import { afterEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { openResources } from '../../src/compose/open-resources.js';
import { drainServices, startLoops } from '../../src/compose/loops.js';
import { buildServices, type Services } from '../../src/compose/services.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { testConfig } from '../helpers/start-gateway.js';

const HOUR = 3_600_000;

async function services(
  extra: Record<string, unknown> = {},
): Promise<{ s: Services; stop: AbortController }> {
  const cfg = parseConfig(stringify(testConfig([{ name: 't1', url: 'http://127.0.0.1:9' }], extra)), {
    baseDir: process.cwd(),
  });
  const stop = new AbortController();
  const logger = silentLogger();
  const metrics = new Metrics();
  const r = await openResources(cfg, logger, metrics, stop.signal);
  return { s: buildServices(cfg, r, { logger, metrics }), stop };
}

afterEach(() => void vi.useRealTimers());

describe('buildServices', () => {
  it('wires every service from the config and what was opened, none missing', async () => {
    const { s, stop } = await services();
    // Off by config: monitor and oidc; PostgreSQL only: replicas and sharedStats.
    const optional = ['monitor', 'oidc', 'replicas', 'sharedStats'];
    const missing = Object.entries(s).filter(([k, v]) => v === undefined && !optional.includes(k));
    expect(missing).toEqual([]);
    expect(s.registry.get('t1')?.group).toBe('adhoc');
    expect(s.registry.group('adhoc')).toBeDefined();
    expect(s.monitor).toBeDefined(); // health checks are on by default
    expect(s.oidc).toBeUndefined(); // no auth.oidc
    stop.abort();
    await drainServices(s, Promise.resolve());
  });

  it('counts every backend healthy when health checks are off, also one added later', async () => {
    const { s, stop } = await services({ health: { enabled: false } });
    expect(s.monitor).toBeUndefined();
    expect(s.registry.get('t1')?.health).toBe('HEALTHY');
    await s.registry.add({
      name: 't2',
      url: 'http://127.0.0.1:10',
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    expect(s.registry.get('t2')?.health).toBe('HEALTHY');
    stop.abort();
    await drainServices(s, Promise.resolve());
  });
});

describe('startLoops', () => {
  it('runs every loop until the one stop signal aborts, and none after', async () => {
    const { s, stop } = await services({ health: { enabled: false } });
    await s.registry.remove('t1'); // nothing to reach: the loops run, no cluster is asked anything
    vi.useFakeTimers();
    const spies = {
      recorder: vi.spyOn(s.recorder, 'flush'),
      retention: vi.spyOn(s.retention, 'runOnce'),
      samples: vi.spyOn(s.loadSamples, 'record'),
      sweep: vi.spyOn(s.tracker as unknown as { sweep: () => void }, 'sweep'),
      reconcile: vi.spyOn(
        (s.catalogs as unknown as { reconciler: { reconcileAll: () => Promise<void> } }).reconciler,
        'reconcileAll',
      ),
    };
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
});
