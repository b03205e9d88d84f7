import { describe, expect, it } from 'vitest';
import { Metrics, statusClass } from '../../src/observability/metrics.js';
import { VERSION } from '../../src/version.js';

/** The value of one sample line `name{labels} value` in the exposition text, or undefined. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

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

  it('has no process metrics unless asked', async () => {
    const text = await new Metrics().registry.metrics();
    expect(text).not.toMatch(/switchyard_process_|switchyard_nodejs_/);
  });

  it('a build-info metric names the version and Node.js', async () => {
    const text = await new Metrics().registry.metrics();
    expect(text).toContain(`switchyard_build_info{version="${VERSION}",node="${process.versions.node}"} 1`);
  });
});

describe('Metrics registries', () => {
  it('are separate per instance: two gateways in one process never share a count', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.queriesRouted.inc({ group: 'adhoc', backend: 't1' });
    a.queriesRouted.inc({ group: 'adhoc', backend: 't1' });
    const series = 'switchyard_routing_queries_total{group="adhoc",backend="t1"}';
    expect(sample(await a.registry.metrics(), series)).toBe(2);
    expect(sample(await b.registry.metrics(), series)).toBeUndefined();
  });
});

describe('Metrics.proxiedRequest', () => {
  it('counts by route and status class, and observes the latency by route', async () => {
    const m = new Metrics();
    m.proxiedRequest('statement', 200, 0.003);
    m.proxiedRequest('statement', 204, 0.2);
    m.proxiedRequest('statement', 503, 0.004);
    m.proxiedRequest('followup', 404, 2);
    const text = await m.registry.metrics();
    expect(sample(text, 'switchyard_http_requests_total{route="statement",status="2xx"}')).toBe(2);
    expect(sample(text, 'switchyard_http_requests_total{route="statement",status="5xx"}')).toBe(1);
    expect(sample(text, 'switchyard_http_requests_total{route="followup",status="4xx"}')).toBe(1);
    expect(sample(text, 'switchyard_http_requests_total{route="followup",status="2xx"}')).toBeUndefined();
    expect(sample(text, 'switchyard_proxy_response_seconds_count{route="statement"}')).toBe(3);
    expect(sample(text, 'switchyard_proxy_response_seconds_sum{route="statement"}')).toBeCloseTo(0.207, 9);
    // Bucket boundaries: 0.003 and 0.004 fall in le=0.005, not in le=0.0025; 0.2 first in le=0.25.
    expect(sample(text, 'switchyard_proxy_response_seconds_bucket{le="0.0025",route="statement"}')).toBe(0);
    expect(sample(text, 'switchyard_proxy_response_seconds_bucket{le="0.005",route="statement"}')).toBe(2);
    expect(sample(text, 'switchyard_proxy_response_seconds_bucket{le="0.1",route="statement"}')).toBe(2);
    expect(sample(text, 'switchyard_proxy_response_seconds_bucket{le="0.25",route="statement"}')).toBe(3);
    expect(sample(text, 'switchyard_proxy_response_seconds_bucket{le="1",route="followup"}')).toBe(0);
    expect(sample(text, 'switchyard_proxy_response_seconds_bucket{le="2.5",route="followup"}')).toBe(1);
  });

  it('keeps counting the same series when asked again and again (cached children stay live)', async () => {
    const m = new Metrics();
    for (let i = 0; i < 5; i++) m.proxiedRequest('query', 200, 0.001);
    m.requests.inc({ route: 'query', status: '2xx' }); // the same series through the public counter
    expect(
      sample(await m.registry.metrics(), 'switchyard_http_requests_total{route="query",status="2xx"}'),
    ).toBe(6);
  });
});

describe('statusClass', () => {
  it('maps a status code to its hundreds class', () => {
    expect([100, 199, 200, 204, 299, 300, 404, 499, 500, 503, 599].map(statusClass)).toEqual([
      '1xx',
      '1xx',
      '2xx',
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
      '5xx',
    ]);
  });

  it('covers a code outside the usual range without failing (0 for a dropped answer, 1000+)', () => {
    expect(statusClass(0)).toBe('0xx');
    expect(statusClass(999)).toBe('9xx');
    expect(statusClass(1000)).toBe('10xx');
  });
});
