/**
 * Diagnostic for workload (d): `npx tsx bench/lib/diag-d.ts [N] [target]` runs N long-polling clients
 * (bench/lib/longpoll-load.ts) through Switchyard (or `node:http`, `direct`) and prints the gateway's fds
 * and its backend pools every 2 s. With `DIAG_HEAP=1` it first warms the gateway with 100 clients, writes
 * a heap snapshot, then another once the N clients have polled for a while, and prints the
 * `bench/heap-diff.ts` command comparing them.
 */
import { spawn } from 'node:child_process';
import { ask, type GatewayStats } from './gateway-stats.js';
import { killAll, openFds, rssBytes, tsx } from './procs.js';
import { startStack, stopGateway } from './stack.js';

const n = Number(process.argv[2] ?? 5000);
const target = process.argv[3] ?? 'switchyard';
const stack = await startStack(
  ['test/helpers/emulator-cli.ts', '--port', 'PORT', '--queued-pages', '0', '--executing-pages', '0'],
  { BENCH_MAX_SOCKETS: process.env.BENCH_MAX_SOCKETS ?? '8192' },
);
const t = stack.targets.find((x) => x[0] === target)!;
const gwPid = stack.targets[2][2]!;

/** clients runs `count` long-polling clients for `seconds`; `onLine` sees each line they print. */
function clients(count: number, seconds: number, onLine: (l: string) => void): Promise<void> {
  const child = spawn(
    process.execPath,
    [...tsx, 'bench/lib/longpoll-load.ts', t[1], String(count), String(seconds)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let buf = '';
  child.stdout.on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  return new Promise((r) => child.once('exit', () => r()));
}

let heapA: string | undefined;
if (process.env.DIAG_HEAP) {
  await clients(100, 2, () => undefined);
  await new Promise((r) => setTimeout(r, 2000));
  heapA = (await ask<{ file: string }>(stack.gateway, 'heap')).file;
  console.log(`heap after warm-up: ${heapA} (rss ${(rssBytes(gwPid) / 2 ** 20).toFixed(0)} MB)`);
}
const t0 = Date.now();
const tick = setInterval(async () => {
  const st = await ask<GatewayStats>(stack.gateway, 'stats');
  console.log(
    `${((Date.now() - t0) / 1000).toFixed(0)}s gw fds ${openFds(gwPid)} rss ${(rssBytes(gwPid) / 2 ** 20).toFixed(0)} MB emu fds ${openFds(stack.emulator.pid!)} pools ${JSON.stringify(st.pools)}`,
  );
}, 2000);
await clients(n, 5, (l) => {
  console.log(l);
  if (l === 'measuring' && heapA)
    setTimeout(async () => {
      const b = (await ask<{ file: string }>(stack.gateway, 'heap')).file;
      console.log(`heap at ${n}: ${b}\n  npx tsx bench/heap-diff.ts ${heapA} ${b} ${n}`);
    }, 2000);
});
clearInterval(tick);
await stopGateway(stack.gateway);
killAll();
process.exit(0);
