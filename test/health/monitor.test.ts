import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

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

  it('answers 503 in Trino JSON naming the group when no backend is available', async () => {
    for (const c of clusters) c.setStarting(true);
    await expect.poll(() => clusters.every((c) => state(c.name) === 'PENDING'), { timeout: 5000 }).toBe(true);
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'X-Trino-User': 'u' },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      errorName: 'NO_NODES_AVAILABLE',
      message: expect.stringContaining('"adhoc"'),
    });
    for (const c of clusters) c.setStarting(false);
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
