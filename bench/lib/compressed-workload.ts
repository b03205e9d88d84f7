/**
 * Workload (c): a 16 MB page of tpch-lineitem rows fetched with `Accept-Encoding: gzip` by four clients at
 * once and by one, direct (the emulator compressing as Trino does, bench/lib/emulator-child.ts), through
 * the bare forwarder (which relays the compressed body) and through Switchyard (which asks the cluster for
 * identity, rewrites and compresses again). Reports pages/s, compressed MB/s, the proxy's CPU per
 * compressed MB and the compressed MB one proxy core sustains (compressed MB / proxy CPU seconds).
 */
import { gunzipSync } from 'node:zlib';
import { load, type Result } from './load-run.js';
import { pageUrl } from './page-url.js';
import { cpuSeconds, loadAverage } from './procs.js';
import { median, startStack, stopGateway } from './stack.js';

const BYTES = 16 * 1024 * 1024;

/** rowsOf fetches url with gzip and counts the rows of the page (the check that every row arrived). */
async function rowsOf(url: string): Promise<{ rows: number; gzip: boolean }> {
  const r = await fetch(url, { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit);
  const raw = Buffer.from(await r.arrayBuffer());
  const gzip = r.headers.get('content-encoding') === 'gzip';
  const doc = JSON.parse((gzip && raw[0] === 0x1f ? gunzipSync(raw) : raw).toString()) as { data: unknown[] };
  return { rows: doc.data.length, gzip };
}

export async function compressedWorkload(o: { quick: boolean; repeat: number }): Promise<void> {
  // A page takes ~1 s here: --quick's 3 s would time three pages per run.
  const seconds = o.quick ? 6 : 15;
  const stack = await startStack(['bench/lib/emulator-child.ts', 'PORT']);
  const urls = new Map<string, string>();
  for (const [t, base] of stack.targets)
    urls.set(t, await pageUrl(base, `SELECT large_page(${BYTES})`, 16_000_000));
  for (const [t] of stack.targets) {
    const c = await rowsOf(urls.get(t)!);
    console.log(`(c) ${t}: ${c.rows} rows, content-encoding ${c.gzip ? 'gzip' : 'identity'}`);
    // Every target must answer gzip, or the workload measures something else (as it silently did once).
    if (!c.gzip) throw new Error(`workload c: ${t} answered without gzip`);
  }
  const rows: string[] = [];
  const ratios: string[] = [];
  for (const conns of [4, 1]) {
    console.log(`measuring c: 16MB lineitem gzip, ${conns} conn… (load ${loadAverage()})`);
    for (const [t] of stack.targets) await load(urls.get(t)!, conns, 1, undefined, true);
    const runs = new Map<string, Array<Result & { cpu?: number }>>(stack.targets.map(([t]) => [t, []]));
    for (let i = 0; i < o.repeat; i++)
      for (const [t, , pid] of stack.targets) {
        const c0 = cpuSeconds(pid);
        const r: Result & { cpu?: number } = await load(urls.get(t)!, conns, seconds, undefined, true);
        const c1 = cpuSeconds(pid);
        if (c0 !== undefined && c1 !== undefined) r.cpu = c1 - c0;
        runs.get(t)!.push(r);
      }
    for (const [t] of stack.targets) {
      const rs = runs.get(t)!;
      const m = rs[rs.map((r) => r.rps).indexOf(median(rs.map((r) => r.rps)))];
      const mb = (m.mbps * m.requests) / m.rps; // compressed MB moved in the run
      const cpu =
        m.cpu === undefined
          ? '        -         -'
          : `${((m.cpu * 1000) / mb).toFixed(2).padStart(9)} ${(mb / m.cpu).toFixed(1).padStart(9)}`;
      rows.push(
        `${t.padEnd(11)} ${String(conns).padStart(5)} ${m.rps.toFixed(2).padStart(8)} ${m.mbps.toFixed(1).padStart(8)} ${m.p50.toFixed(0).padStart(7)} ${m.p99.toFixed(0).padStart(7)} ${String(m.errors).padStart(6)} ${cpu}`,
      );
    }
    for (const t of ['switchyard', 'node:http']) {
      const per = runs.get(t)!.map((r, i) => r.rps / runs.get('direct')![i].rps);
      const v = median(per);
      const target = t === 'switchyard' ? `target ≥ 0.8  ${v >= 0.8 ? 'met' : 'MISSED'}` : 'for reference';
      ratios.push(
        `(c) ${conns} conn: ${t} / direct pages/s`.padEnd(52) +
          ` ${v.toFixed(3).padStart(8)}  ${target}  (rounds ${Math.min(...per).toFixed(3)}–${Math.max(...per).toFixed(3)})`,
      );
    }
  }
  console.log('\ntarget      conns  pages/s  gz MB/s  p50 ms  p99 ms errors  ms CPU/gzMB  gzMB/s/core');
  for (const r of rows) console.log(r);
  console.log('');
  for (const r of ratios) console.log(r);
  await stopGateway(stack.gateway);
}
