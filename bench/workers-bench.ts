/**
 * `npx tsx bench/workers-bench.ts [--workers=1,2] [--seconds=10] [--repeat=3] [--clients=32]`: what
 * `server.workers` buys on this host. For each worker count, the real gateway process (`src/main.ts` with
 * the runtime flags, auth off, history in one SQLite file) in front of one emulated cluster, and two
 * closed-loop loads in their own processes: (p) polls of a ~2 KB statement page on 32 keep-alive
 * connections (bench/lib/load.ts), (s) sustained submissions, each query walked to its last page and its
 * 300 rows checked (bench/lib/submit-load.ts). Rounds alternate between the counts; the table shows each
 * count's median round, and the CPU seconds its primary and workers spent per 1,000 requests.
 * The load generator and the emulator share the machine's cores with the gateway.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { load } from './lib/load-run.js';
import { pageUrl } from './lib/page-url.js';
import { children, cpuSeconds, freePort, GATEWAY_FLAGS, killAll, start, tsx } from './lib/procs.js';
import { median } from './lib/stack.js';

const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const COUNTS = arg('workers', '1,2').split(',').map(Number);
const SECONDS = Number(arg('seconds', '10'));
const REPEAT = Number(arg('repeat', '3'));
const CLIENTS = Number(arg('clients', '32'));

interface Gw {
  child: ChildProcess;
  url: string;
}

/** pids of the gateway: the primary and, with workers, its node:cluster children. */
function pids(g: Gw): number[] {
  const r = spawnSync('pgrep', ['-P', String(g.child.pid), '-f', 'src/main.ts'], { encoding: 'utf8' });
  return [g.child.pid!, ...r.stdout.split('\n').filter(Boolean).map(Number)];
}

const cpu = (g: Gw) => pids(g).reduce((s, p) => s + (cpuSeconds(p) ?? 0), 0);

async function gateway(workers: number, backend: string): Promise<Gw> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-workers-'));
  const port = await freePort();
  const file = join(dir, 'gateway.config.yaml');
  writeFileSync(
    file,
    stringify({
      server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}`, workers },
      database: { path: join(dir, 'switchyard.db') },
      groups: [{ name: 'adhoc' }],
      backends: [{ name: 'trino-1', url: backend, group: 'adhoc' }],
      auth: { mode: 'none' },
      log: { level: 'warn' },
      proxy: { maxSocketsPerBackend: 6000 },
    }),
  );
  const child = spawn(process.execPath, [...GATEWAY_FLAGS, ...tsx, 'src/main.ts', '--config', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  const url = `http://127.0.0.1:${port}`;
  const g = { child, url };
  const end = Date.now() + 120_000;
  // Ready, with every worker up (fresh connections then reach all of them).
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready && pids(g).length === (workers > 1 ? workers + 1 : 1)) break;
    if (Date.now() > end || child.exitCode !== null) throw new Error(`gateway did not start:\n${err}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // Each worker's first requests compile its hot paths: warm every one.
  await new Promise((r) => setTimeout(r, 3000));
  return g;
}

function submitLoad(base: string, seconds: number) {
  const r = spawnSync(
    process.execPath,
    [...tsx, 'bench/lib/submit-load.ts', base, String(CLIENTS), String(seconds)],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    finished: number;
    errors: number;
    qps: number;
    p50: number;
    p99: number;
  };
}

async function stop(g: Gw): Promise<void> {
  if (g.child.exitCode !== null) return;
  const exited = new Promise((r) => g.child.once('exit', r));
  g.child.kill('SIGTERM');
  await exited;
}

interface Round {
  pollRps: number;
  pollP99: number;
  pollCpuPerK: number;
  qps: number;
  qP50: number;
  qP99: number;
  qCpuPerK: number;
  errors: number;
}

async function main(): Promise<void> {
  const emuPort = await freePort();
  await start(
    [
      ...tsx,
      'test/helpers/emulator-cli.ts',
      '--port',
      String(emuPort),
      '--rows-per-page',
      '150',
      '--queued-pages',
      '0',
      '--executing-pages',
      '0',
    ],
    /listening/,
  );
  const backend = `http://127.0.0.1:${emuPort}`;
  console.log(
    `workers ${COUNTS.join(' vs ')}, ${SECONDS} s × ${REPEAT} rounds, ${CLIENTS} clients; cores ${availableParallelism()}, load ${loadavg()[0].toFixed(1)}`,
  );
  const rounds = new Map<number, Round[]>(COUNTS.map((n) => [n, []]));
  for (let i = 0; i < REPEAT; i++) {
    for (const n of COUNTS) {
      const g = await gateway(n, backend);
      const page = await pageUrl(g.url, 'SELECT * FROM UNNEST(sequence(1, 500))', 1500);
      await load(page, CLIENTS, 1); // warm-up
      let c0 = cpu(g);
      const p = await load(page, CLIENTS, SECONDS);
      const pollCpu = cpu(g) - c0;
      submitLoad(g.url, 1); // warm-up
      c0 = cpu(g);
      const s = submitLoad(g.url, SECONDS);
      const subCpu = cpu(g) - c0;
      rounds.get(n)!.push({
        pollRps: p.rps,
        pollP99: p.p99,
        pollCpuPerK: (pollCpu / p.requests) * 1000,
        qps: s.qps,
        qP50: s.p50,
        qP99: s.p99,
        // 1 POST + 2 polls per query (queued and executing pages are off).
        qCpuPerK: (subCpu / (s.finished * 3)) * 1000,
        errors: p.errors + s.errors,
      });
      await stop(g);
      console.log(
        `  round ${i + 1}, ${n} worker(s): polls ${p.rps.toFixed(0)} req/s, queries ${s.qps.toFixed(0)}/s`,
      );
    }
  }
  const f = (x: number, d = 0) => x.toFixed(d);
  console.log(
    '\n| workers | polls req/s | poll p99 ms | CPU s / 1k polls | queries/s | query p50 / p99 ms | CPU s / 1k requests | errors |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const base = median(rounds.get(COUNTS[0])!.map((r) => r.pollRps));
  const baseQ = median(rounds.get(COUNTS[0])!.map((r) => r.qps));
  for (const n of COUNTS) {
    const rs = rounds.get(n)!;
    const m = (k: keyof Round) => median(rs.map((r) => r[k]));
    console.log(
      `| ${n} | ${f(m('pollRps'))} (×${f(m('pollRps') / base, 2)}) | ${f(m('pollP99'), 1)} | ${f(m('pollCpuPerK'), 3)} | ${f(m('qps'))} (×${f(m('qps') / baseQ, 2)}) | ${f(m('qP50'), 1)} / ${f(m('qP99'), 1)} | ${f(m('qCpuPerK'), 3)} | ${rs.reduce((s, r) => s + r.errors, 0)} |`,
    );
  }
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(killAll);
