import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { VERSION } from '../../src/version.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

describe('metric names', () => {
  it('all start with switchyard_, none repeats a word, and process metrics are there', async () => {
    const text = await new Metrics({ processMetrics: true }).registry.metrics();
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) {
      expect(n).toMatch(/^switchyard_[a-z0-9_]+$/);
      expect(n).not.toMatch(/switchyard_process_process_|switchyard_process_nodejs_/);
    }
    expect(names).toContain('switchyard_process_cpu_seconds_total');
    expect(names).toContain('switchyard_nodejs_heap_size_used_bytes');
  });

  it('a build-info metric names the version and Node.js', async () => {
    const text = await new Metrics().registry.metrics();
    expect(text).toContain(`switchyard_build_info{version="${VERSION}",node="${process.versions.node}"} 1`);
  });
});

describe('GET /api/v1/info', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(testConfig([], { auth: await passwordAuth(['alice', 'pw']) }));
  });
  afterAll(() => gw.stop());

  it('reports the version to any signed-in principal, and to nobody else', async () => {
    const basic = `Basic ${Buffer.from('alice:pw').toString('base64')}`;
    const r = await fetch(`${gw.url}/api/v1/info`, { headers: { authorization: basic } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ name: 'switchyard', version: VERSION });
    expect((await fetch(`${gw.url}/api/v1/info`)).status).toBe(401);
  });
});
