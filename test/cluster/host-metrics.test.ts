import { EventEmitter } from 'node:events';
import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { hostMetrics, metricsCollector, type MetricsAnswer } from '../../src/cluster/host-metrics.js';

/** A worker's process as hostMetrics sees it: messages in, process.send out. */
function fakeProc() {
  const p = new EventEmitter() as EventEmitter & {
    connected: boolean;
    sent: object[];
    send(m: object): boolean;
  };
  p.connected = true;
  p.sent = [];
  p.send = (m: object) => (p.sent.push(m), true);
  return p;
}

function workerRegistry(queries: number, inflight: number) {
  const r = new Registry();
  new Counter({ name: 'q_total', help: 'h', registers: [r] }).inc(queries);
  new Gauge({ name: 'inflight', help: 'h', registers: [r] }).set(inflight);
  new Gauge({ name: 'same', help: 'h', aggregator: 'max', registers: [r] }).set(1);
  return r;
}

describe('metricsCollector (the primary)', () => {
  it('answers with the parts that came when a worker is stuck, naming the missing one', async () => {
    const c = metricsCollector(50);
    const collects: Array<{ id: number }> = [];
    const answer = new Promise<MetricsAnswer>((resolve) =>
      c.ask(resolve, 7, [
        (m) => (collects.push(m as { id: number }), true),
        () => true, // a worker that never answers
      ]),
    );
    c.part({ id: collects[0].id, metrics: [{ name: 'x' }] });
    const a = await answer;
    expect(a).toMatchObject({ id: 7, missing: 1, parts: [[{ name: 'x' }]] });
  });

  it('answers at once when every worker answered, and ignores parts of no collect', async () => {
    const c = metricsCollector(60_000);
    let got: MetricsAnswer | undefined;
    const ids: number[] = [];
    c.ask((a) => (got = a), 1, [(m) => (ids.push((m as { id: number }).id), true)]);
    c.part({ id: 999, metrics: [] });
    expect(got).toBeUndefined();
    c.part({ id: ids[0], metrics: [] });
    expect(got).toMatchObject({ id: 1, missing: 0 });
  });
});

describe('hostMetrics (a worker)', () => {
  it('sums counters and per-worker gauges, keeps max gauges, and says how many workers answered', async () => {
    const proc = fakeProc();
    const own = workerRegistry(3, 1);
    const scrape = hostMetrics(own, proc as unknown as NodeJS.Process);
    const pending = scrape();
    const ask = proc.sent[0] as { kind: string; id: number };
    expect(ask.kind).toBe('switchyard:metrics-ask');
    const parts = [await own.getMetricsAsJSON(), await workerRegistry(4, 2).getMetricsAsJSON()];
    proc.emit('message', { kind: 'switchyard:metrics-answer', id: ask.id, parts, missing: 1 });
    const text = await (await pending).metrics();
    expect(text).toMatch(/^q_total 7$/m);
    expect(text).toMatch(/^inflight 3$/m);
    expect(text).toMatch(/^same 1$/m);
    expect(text).toMatch(/^switchyard_metrics_workers\{state="answered"\} 2$/m);
    expect(text).toMatch(/^switchyard_metrics_workers\{state="missing"\} 1$/m);
  });

  it('answers a collect with its own registry', async () => {
    const proc = fakeProc();
    hostMetrics(workerRegistry(5, 0), proc as unknown as NodeJS.Process);
    proc.emit('message', { kind: 'switchyard:metrics-collect', id: 4 });
    await new Promise((r) => setImmediate(r));
    expect(proc.sent[0]).toMatchObject({ kind: 'switchyard:metrics-part', id: 4 });
    expect(JSON.stringify(proc.sent[0])).toContain('"q_total"');
  });

  it('serves its own registry alone when there is no primary to ask', async () => {
    const proc = fakeProc();
    proc.connected = false;
    const own = workerRegistry(1, 0);
    expect(await hostMetrics(own, proc as unknown as NodeJS.Process)()).toBe(own);
  });
});
