/**
 * Queue benchmark: the cost of one queue decision and the memory of 10,000 held queries.
 * Run with: node --expose-gc --import tsx bench/queue-bench.ts [decisions]
 *
 * A decision is one AdmissionQueue step on the request path: admit (run now, or hold) and release (give a
 * slot back and hand it to the next query in fair order), timed one by one with process.hrtime.bigint()
 * while 10,000 queries of 1,000 users wait, over 4 backends. The held queries carry what a real one does:
 * the submission's headers and statement. Targets: p99 ≤ 20 µs per decision, ≤ 50 MB RSS for 10,000
 * held queries. Printed, never asserted.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AdmissionQueue } from '../src/queue/admission.js';
import { MemorySlotStore } from '../src/queue/slot-store.js';
import type { HeldQuery } from '../src/queue/held-query.js';

const decisions = Number(process.argv[2] ?? 50_000);
const HELD = 10_000;
const USERS = 1_000;
const backends = ['trino-1', 'trino-2', 'trino-3', 'trino-4'];
const gc = (globalThis as { gc?: () => void }).gc;

interface Payload {
  headers: IncomingHttpHeaders;
  sql: string;
  body: Buffer;
}

function payload(i: number): Payload {
  const sql = `SELECT o.orderkey, sum(l.extendedprice) FROM tpch.tiny.orders o JOIN tpch.tiny.lineitem l ON o.orderkey = l.orderkey WHERE o.custkey = ${i} GROUP BY 1 ORDER BY 2 DESC LIMIT 100`;
  return {
    sql,
    body: Buffer.from(sql),
    headers: {
      host: 'gateway.example.com:8080',
      'user-agent': 'Trino JDBC Driver/476',
      'x-trino-user': `user-${i % USERS}`,
      'x-trino-source': 'trino-jdbc',
      'x-trino-catalog': 'tpch',
      'x-trino-schema': 'tiny',
      'x-trino-time-zone': 'UTC',
      'x-trino-language': 'en-US',
      'x-trino-client-capabilities': 'PATH,PARAMETRIC_DATETIME,SESSION_AUTHORIZATION',
      'accept-encoding': 'gzip',
      authorization: 'Basic dXNlcjpwYXNzd29yZA==',
      'content-type': 'text/plain; charset=utf-8',
    },
  };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

async function main() {
  const q = new AdmissionQueue<Payload>(
    new Map([
      ['adhoc', { maxRunningPerBackend: 8, maxQueued: 1_000_000, maxQueuedMs: 1e9, clientTimeoutMs: 1e9 }],
    ]),
    new MemorySlotStore(),
    (_g, _u, exclude) => backends.filter((b) => !exclude.has(b)),
  );
  gc?.();
  const rss0 = process.memoryUsage().rss;
  const leases = [];
  for (let i = 0; i < HELD; i++) {
    const a = await q.admit('adhoc', `user-${i % USERS}`, i % 3, payload(i));
    if (a.kind === 'run') leases.push(a.lease);
  }
  gc?.();
  const rss1 = process.memoryUsage().rss;
  console.log(
    `held ${q.queuedCount('adhoc')} queries (+${leases.length} running): RSS +${mb(rss1 - rss0)} MB ` +
      `(${((rss1 - rss0) / HELD / 1024).toFixed(2)} KiB each; target ≤ 50 MB)` +
      (gc ? '' : ' [run with --expose-gc for a steadier figure]'),
  );

  // As a held query's next poll would: the one whose slot came is started, and its slot runs.
  const running = [...leases];
  const ready: HeldQuery<Payload>[] = [];
  const watch = (h: HeldQuery<Payload>) => void h.until(2e9).then(() => ready.push(h));
  for (const h of q.waiting()) watch(h);
  const admitNs: number[] = [];
  const releaseNs: number[] = [];
  for (let i = 0; i < decisions; i++) {
    const p = payload(i);
    const user = `user-${i % USERS}`;
    let t = process.hrtime.bigint();
    const a = await q.admit('adhoc', user, i % 3, p);
    admitNs.push(Number(process.hrtime.bigint() - t));
    if (a.kind === 'queued') watch(a.held);
    else if (a.kind === 'run') running.push(a.lease);
    // Keep the line at 10,000: one running query ends and its slot goes to the next in fair order.
    t = process.hrtime.bigint();
    q.release(running.shift()!);
    await q.drain('adhoc');
    releaseNs.push(Number(process.hrtime.bigint() - t));
    await Promise.resolve();
    for (const h of ready.splice(0)) {
      running.push(h.lease!);
      q.started(h);
    }
  }
  for (const [name, xs] of [
    ['admit (hold or run)', admitNs],
    ['release + hand the slot on', releaseNs],
  ] as const) {
    const s = [...xs].sort((a, b) => a - b);
    console.log(
      `${name.padEnd(28)} p50 ${(pct(s, 0.5) / 1e3).toFixed(2)} µs  p99 ${(pct(s, 0.99) / 1e3).toFixed(2)} µs  (target p99 ≤ 20 µs)`,
    );
  }
}

void main().then(() => process.exit(0));
