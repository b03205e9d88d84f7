/**
 * Issue 20 (a): what choosing a connection costs while N long polls hold connections of the same pool.
 * A server in a child process holds every `/hold` request until told to let go and answers `/fast` at
 * once with a 2 KB body. For each dispatcher (undici's Pool, src/backends/connection-pool.ts) and each N,
 * this process opens N held requests, then times `--requests` fast ones on 8 concurrent loops through the
 * same dispatcher, and prints this process's CPU time per fast request (user + system) and its rate.
 *
 *   npx tsx bench/pool-bench.ts [--held=0,256,1000,4000] [--requests=20000] [--rounds=3]
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { ConnectionPool } from '../src/backends/connection-pool.js';

function serve(): void {
  const held: http.ServerResponse[] = [];
  const page = 'x'.repeat(2048);
  const server = http.createServer({ keepAliveTimeout: 600_000 }, (req, res) => {
    if (req.url === '/hold') {
      held.push(res);
      process.send!({ held: held.length });
    } else res.end(page);
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, () =>
    process.send!({ port: (server.address() as AddressInfo).port }),
  );
  process.on('message', () => {
    for (const r of held.splice(0)) r.end('released');
    process.send!({ held: 0 });
  });
}

const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;

async function main(): Promise<void> {
  const heldCounts = arg('held', '0,256,1000,4000').split(',').map(Number);
  const requests = Number(arg('requests', '20000'));
  const rounds = Number(arg('rounds', '3'));
  const child = fork(new URL(import.meta.url).pathname, ['serve'], { execArgv: ['--import', 'tsx'] });
  let held = 0;
  const port = await new Promise<number>((resolve) =>
    child.on('message', (m: { port?: number; held?: number }) => {
      if (m.port) resolve(m.port);
      if (m.held !== undefined) held = m.held;
    }),
  );
  const origin = `http://127.0.0.1:${port}`;
  const kinds: Record<string, (n: number) => Dispatcher> = {
    'undici Pool': (n) => new Pool(origin, { connections: n, pipelining: 1 }),
    ConnectionPool: (n) => new ConnectionPool(origin, n),
  };
  console.log(`${requests} fast requests a run, 8 loops; median of ${rounds} rounds\n`);
  console.log('dispatcher       held   cpu µs/req   req/s');
  for (const n of heldCounts)
    for (const [name, make] of Object.entries(kinds)) {
      const runs: { cpu: number; rate: number }[] = [];
      for (let r = 0; r < rounds; r++) runs.push(await measure(make(n + 16), n, requests, child, () => held));
      runs.sort((a, b) => a.cpu - b.cpu);
      const m = runs[Math.floor(runs.length / 2)];
      console.log(
        `${name.padEnd(15)} ${String(n).padStart(5)}   ${m.cpu.toFixed(1).padStart(10)}   ${m.rate.toFixed(0).padStart(5)}`,
      );
    }
  child.kill();
}

async function measure(
  d: Dispatcher,
  n: number,
  requests: number,
  child: ChildProcess,
  heldNow: () => number,
): Promise<{ cpu: number; rate: number }> {
  const holds = Array.from({ length: n }, () =>
    d.request({ method: 'GET', path: '/hold' }).then((r) => r.body.text()),
  );
  while (heldNow() < n) await new Promise((r) => setTimeout(r, 20));
  const fast = async (count: number) => {
    for (let i = 0; i < count; i++) await (await d.request({ method: 'GET', path: '/fast' })).body.text();
  };
  await Promise.all(Array.from({ length: 8 }, () => fast(200))); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 8 }, () => fast(requests / 8)));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  child.send('release');
  await Promise.all(holds);
  while (heldNow() !== 0) await new Promise((r) => setTimeout(r, 20));
  await d.destroy();
  return { cpu: (cpu.user + cpu.system) / requests, rate: requests / wall };
}

if (process.argv[2] === 'serve') serve();
else void main();
