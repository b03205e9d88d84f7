/** Diagnostic for (d): N long-polling clients through Switchyard, the gateway's pools and sockets every 2 s. */
import { spawn } from 'node:child_process';
import { ask, type GatewayStats } from './gateway-stats.js';
import { killAll, openFds, tsx } from './procs.js';
import { startStack, stopGateway } from './stack.js';

const n = Number(process.argv[2] ?? 5000);
const target = process.argv[3] ?? 'switchyard';
const stack = await startStack(
  ['test/helpers/emulator-cli.ts', '--port', 'PORT', '--queued-pages', '0', '--executing-pages', '0'],
  { BENCH_MAX_SOCKETS: process.env.BENCH_MAX_SOCKETS ?? '8192' },
);
const t = stack.targets.find((x) => x[0] === target)!;
const gwPid = stack.targets[2][2]!;
const child = spawn(process.execPath, [...tsx, 'bench/lib/longpoll-load.ts', t[1], String(n), '5'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
const t0 = Date.now();
const tick = setInterval(async () => {
  const st = await ask<GatewayStats>(stack.gateway, 'stats');
  console.log(
    `${((Date.now() - t0) / 1000).toFixed(0)}s gw fds ${openFds(gwPid)} emu fds ${openFds(stack.emulator.pid!)} pools ${JSON.stringify(st.pools)}`,
  );
}, 2000);
await new Promise((r) => child.once('exit', r));
clearInterval(tick);
await stopGateway(stack.gateway);
stack.emulator.kill('SIGKILL');
killAll();
process.exit(0);
