import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedQuery } from '../helpers/failed-query.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import type { Backend } from '../../src/backends/backend.js';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import type { BackendRegistry } from '../../src/backends/registry.js';
import { openDatabase } from '../../src/db/open.js';
import type { HealthProbe, ProbeResult } from '../../src/health/health-probe.js';
import { infoProbe } from '../../src/health/info-probe.js';
import { HealthMonitor } from '../../src/health/monitor.js';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

const health = {
  intervalSeconds: 0.1,
  timeoutSeconds: 0.3,
  jitter: 0,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

describe('health monitor and availability', () => {
  const clusters: TrinoEmulator[] = [];
  let gw: TestGateway;

  beforeAll(async () => {
    for (const name of ['t1', 't2', 't3'])
      clusters.push(await TrinoEmulator.start({ name, queuedPages: 0, executingPages: 0 }));
    gw = await startGateway(
      testConfig(
        clusters.map((c) => ({ name: c.name, url: c.url })),
        { health },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all(clusters.map((c) => c.stop()));
  });

  const state = (name: string) => gw.services.registry.get(name)!.health;
  const runOne = async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT current_cluster()',
      headers: { 'X-Trino-User': 'u' },
    });
    let page = (await res.json()) as { nextUri?: string; data?: string[][] };
    let cluster: string | undefined;
    while (page.nextUri) {
      page = (await (await fetch(page.nextUri)).json()) as typeof page;
      cluster ??= page.data?.[0]?.[0];
    }
    return cluster;
  };

  it('is ready only after the first round, with every live backend HEALTHY', async () => {
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    expect(clusters.map((c) => state(c.name))).toEqual(['HEALTHY', 'HEALTHY', 'HEALTHY']);
  });

  it('stops sending new queries to a cluster that died, while the others carry on', async () => {
    await clusters[1].setMode('refuse');
    await expect.poll(() => state('t2'), { timeout: 5000 }).toBe('UNHEALTHY');
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add((await runOne())!);
    expect([...seen].sort()).toEqual(['t1', 't3']);
    await clusters[1].setMode('ok');
    await expect.poll(() => state('t2'), { timeout: 5000 }).toBe('HEALTHY');
  });

  it('treats a hanging cluster as unhealthy without delaying the others', async () => {
    await clusters[2].setMode('hang');
    await expect.poll(() => state('t3'), { timeout: 5000 }).toBe('UNHEALTHY');
    expect(state('t1')).toBe('HEALTHY');
    await clusters[2].setMode('ok');
    await expect.poll(() => state('t3'), { timeout: 5000 }).toBe('HEALTHY');
  });

  it('reports a starting coordinator as PENDING and gives it no queries', async () => {
    clusters[0].setStarting(true);
    await expect.poll(() => state('t1'), { timeout: 5000 }).toBe('PENDING');
    for (let i = 0; i < 6; i++) expect(await runOne()).not.toBe('t1');
    clusters[0].setStarting(false);
    await expect.poll(() => state('t1'), { timeout: 5000 }).toBe('HEALTHY');
  });

  it('fails the query with NO_NODES_AVAILABLE naming the group when no backend is available', async () => {
    for (const c of clusters) c.setStarting(true);
    await expect.poll(() => clusters.every((c) => state(c.name) === 'PENDING'), { timeout: 5000 }).toBe(true);
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'X-Trino-User': 'u' },
    });
    for (const c of clusters) c.setStarting(false);
    expect(await failedQuery(res, { 'X-Trino-User': 'u' })).toMatchObject({
      errorName: 'NO_NODES_AVAILABLE',
      message: expect.stringContaining('"adhoc"'),
    });
    await expect.poll(() => clusters.every((c) => state(c.name) === 'HEALTHY'), { timeout: 5000 }).toBe(true);
  });

  it('exposes backend state and probe latency on /metrics in a parsable exposition', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/switchyard_backend_state\{backend="t1",state="HEALTHY"\} 1/);
    expect(text).toContain('switchyard_health_probe_seconds_bucket');
    for (const line of text.split('\n').filter(Boolean))
      expect(line).toMatch(
        /^(#.*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (NaN|\+Inf|-Inf))$/,
      );
  });
});

const logger = createLogger({ level: 'silent' });
const stats = { runningQueries: 1, queuedQueries: 2, blockedQueries: 0, updatedAt: 1 };

/** A registry of one backend, `b`, at url. */
function registryOf(url: string): BackendRegistry {
  const repo = new BackendRepo(openDatabase(':memory:').db);
  repo.seedGroup({ name: 'g', policy: 'least-loaded' });
  repo.seedBackend({ name: 'b', url, group: 'g', active: true, weight: 1, catalogDriver: 'sql' });
  return sqliteRegistry(repo, 8);
}

/** A probe that answers what `next` says, recording the signals it was given. */
function scripted(next: () => ProbeResult | Promise<ProbeResult>) {
  const signals: AbortSignal[] = [];
  const probe: HealthProbe = {
    probe: async (_b: Backend, signal: AbortSignal) => {
      signals.push(signal);
      return next();
    },
  };
  return { probe, signals };
}

describe('HealthMonitor with a plugged probe', () => {
  const monitors: HealthMonitor[] = [];
  const monitor = (registry: BackendRegistry, probe: HealthProbe, thresholds = 1) => {
    const m = new HealthMonitor(
      registry,
      { intervalMs: 3_600_000, jitter: 0, healthyThreshold: thresholds, unhealthyThreshold: thresholds },
      probe,
      new Metrics(),
      logger,
    );
    monitors.push(m);
    return m;
  };
  afterEach(() => {
    for (const m of monitors.splice(0)) m.stop();
  });

  it('decides from the first answer, then only after the threshold of like answers', async () => {
    const registry = registryOf('http://127.0.0.1:1');
    let answer: ProbeResult = { state: 'HEALTHY' };
    const m = monitor(registry, scripted(() => answer).probe, 2);
    await m.start();
    const b = registry.get('b')!;
    expect(b.health).toBe('HEALTHY');
    answer = { state: 'UNHEALTHY', detail: 'down' };
    await m.round();
    expect(b.health).toBe('HEALTHY');
    await m.round();
    expect([b.health, b.healthDetail]).toEqual(['UNHEALTHY', 'down']);
  });

  it('keeps the stats of the last HEALTHY probe, and none once it is not', async () => {
    const registry = registryOf('http://127.0.0.1:1');
    let answer: ProbeResult = { state: 'HEALTHY', stats };
    const m = monitor(registry, scripted(() => answer).probe);
    await m.start();
    const b = registry.get('b')!;
    expect(b.stats).toEqual(stats);
    answer = { state: 'PENDING', detail: 'starting' };
    await m.round();
    expect([b.health, b.stats]).toEqual(['PENDING', undefined]);
  });

  it('counts a probe that throws as UNHEALTHY with its message', async () => {
    const registry = registryOf('http://127.0.0.1:1');
    const m = monitor(
      registry,
      scripted(() => {
        throw new Error('probe broke');
      }).probe,
    );
    await m.start();
    expect([registry.get('b')!.health, registry.get('b')!.healthDetail]).toEqual([
      'UNHEALTHY',
      'probe broke',
    ]);
  });

  it('aborts the probes in flight when stopped, through its own or the given signal', async () => {
    const emu = await TrinoEmulator.start({ name: 'stop' });
    try {
      await emu.setMode('hang');
      const registry = registryOf(emu.url);
      const ac = new AbortController();
      const m = monitor(registry, infoProbe(60_000));
      const first = m.start(ac.signal);
      await expect.poll(() => emu.requests.length).toBe(1);
      ac.abort();
      await first; // ended by the abort, not by the 60 s timeout
      expect(registry.get('b')!.health).toBe('UNKNOWN'); // an aborted probe decides nothing
    } finally {
      await emu.stop();
    }
  });
});
