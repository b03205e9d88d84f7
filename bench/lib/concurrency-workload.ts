/**
 * Workload (d): 1,000 and 5,000 running queries at once, each client long-polling
 * (bench/lib/longpoll-load.ts), direct and through Switchyard, a fresh emulator and gateway per N.
 * Reports the gateway's RSS and heap per in-flight query (over its state after 100 queries warmed it
 * up), the poll latency p99 it adds over direct at the same N, its event-loop delay p99 over the timed
 * window (read inside the gateway, bench/lib/gateway-stats.ts) and its open file descriptors.
 * The gateway runs with `proxy.maxSocketsPerBackend: 8192` (BENCH_MAX_SOCKETS overrides): at the old default,
 * 256, every long poll beyond the 256th waits for a socket, and 1,000 queries' polls took ~3.9 s, not 1 s.
 */
import { spawn } from 'node:child_process';
import { ask, type GatewayStats } from './gateway-stats.js';
import { cpuSeconds, loadAverage, openFds, rssBytes, tsx } from './procs.js';
import { startStack, stopGateway } from './stack.js';

interface PollResult {
  clients: number;
  polls: number;
  pollsPerS: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/** longPoll runs N long-polling clients against base; `onMeasuring` runs when the timed window opens. */
function longPoll(base: string, n: number, seconds: number, onMeasuring: () => void): Promise<PollResult> {
  const child = spawn(
    process.execPath,
    [...tsx, 'bench/lib/longpoll-load.ts', base, String(n), String(seconds)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let opened = false;
    child.stdout.on('data', (c) => {
      out += c;
      if (!opened && out.includes('measuring\n')) {
        opened = true;
        onMeasuring();
      }
      const line = out
        .split('\n')
        .slice(0, -1)
        .find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => (code ? reject(new Error(`longpoll-load exited ${code}`)) : undefined));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function concurrencyWorkload(o: { quick: boolean; repeat: number }): Promise<void> {
  const seconds = o.quick ? 5 : 15;
  const out: string[] = [];
  // BENCH_D_N=1000 (comma-separated) measures other N.
  const ns = (process.env.BENCH_D_N ?? '1000,5000').split(',').map(Number);
  for (const n of ns) {
    const stack = await startStack(
      ['test/helpers/emulator-cli.ts', '--port', 'PORT', '--queued-pages', '0', '--executing-pages', '0'],
      { BENCH_MAX_SOCKETS: process.env.BENCH_MAX_SOCKETS ?? '8192' },
    );
    const [[, direct], [, fwdBase, fwdPid], [, gwBase, gwPid]] = stack.targets;
    console.log(`measuring d: ${n} long-polling queries… (load ${loadAverage()})`);
    await longPoll(gwBase, 100, 2, () => undefined); // warm-up: the poll path compiled, pools filled
    await longPoll(fwdBase, 100, 2, () => undefined);
    await sleep(2000);
    // The bare node:http forwarder at the same N: what a client socket, a server request, an upstream
    // request and its socket cost in Node at least, the floor under the gateway's RSS per query.
    const fwd0 = rssBytes(fwdPid!);
    let fwdMid = 0;
    const f = await longPoll(fwdBase, n, seconds, () => {
      setTimeout(() => (fwdMid = rssBytes(fwdPid!)), (seconds * 1000) / 2);
    });
    const fwdRss = Math.max(fwdMid, rssBytes(fwdPid!));
    await sleep(2000);
    const rss0 = rssBytes(gwPid!);
    const heap0 = (await ask<GatewayStats>(stack.gateway, 'stats')).heapUsed;
    const fd0 = openFds(gwPid!);
    const d = await longPoll(direct, n, seconds, () => undefined);
    await sleep(2000);
    let mid: { rss: number; fds: number } | undefined;
    let cpu0: number | undefined;
    const s = await longPoll(gwBase, n, seconds, () => {
      void ask(stack.gateway, 'reset');
      cpu0 = cpuSeconds(gwPid);
      setTimeout(() => (mid = { rss: rssBytes(gwPid!), fds: openFds(gwPid!) }), (seconds * 1000) / 2);
    });
    const cpu = ((cpuSeconds(gwPid)! - cpu0!) / seconds) * 100;
    const st = await ask<GatewayStats>(stack.gateway, 'stats');
    const rss = Math.max(mid?.rss ?? 0, rssBytes(gwPid!));
    const load = loadAverage();
    out.push(
      `${String(n).padStart(5)} ${((rss - rss0) / n / 1024).toFixed(1).padStart(8)} ${((st.heapUsed - heap0) / n / 1024).toFixed(1).padStart(8)} ` +
        `${d.p99.toFixed(1).padStart(9)} ${s.p99.toFixed(1).padStart(9)} ${(s.p99 - d.p99).toFixed(1).padStart(8)} ` +
        `${st.loopP99.toFixed(1).padStart(8)} ${st.loopMax.toFixed(0).padStart(8)} ${String(fd0).padStart(5)} ${String(mid?.fds ?? '-').padStart(6)} ` +
        `${s.pollsPerS.toFixed(0).padStart(7)} ${String(d.errors + s.errors).padStart(6)} ${cpu.toFixed(0).padStart(5)}% ` +
        `${((fwdRss - fwd0) / n / 1024).toFixed(1).padStart(8)} ${f.p99.toFixed(1).padStart(9)} ${String(f.errors).padStart(6)}  ${load}`,
    );
    console.log(
      `  rss ${(rss0 / 2 ** 20).toFixed(0)} → ${(rss / 2 ** 20).toFixed(0)} MB (node:http ${(fwd0 / 2 ** 20).toFixed(0)} → ${(fwdRss / 2 ** 20).toFixed(0)} MB); ` +
        `direct ${JSON.stringify(d)}; node:http ${JSON.stringify(f)}; switchyard ${JSON.stringify(s)}`,
    );
    await stopGateway(stack.gateway);
    stack.emulator.kill('SIGKILL');
  }
  console.log(
    '\n    N  KB RSS/q KB heap/q dir p99 ms  sy p99 ms added ms loop p99  loop max  fds0 fds@N  polls/s errors gw CPU fwd KB/q fwd p99 fwd err  load',
  );
  for (const r of out) console.log(r);
  console.log('targets: ≤ 4 KB RSS per query, ≤ 2 ms added poll p99, ≤ 10 ms loop delay p99');
}
