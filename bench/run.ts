/**
 * `npm run bench`: the proxy's cost, measured in one run on the same requests against four targets —
 * direct to an emulated Trino backend, a bare node:http forwarder, nginx (Debian's package, installed
 * when missing) and Switchyard — each in its own process, with the load generator in another.
 * Workloads: (a) polls of a ~2 KB statement page at 1 and 32 connections, (b) a 16 MB page; and, each
 * with its own emulator, forwarder and gateway (bench/lib/stack.ts), (c) a 16 MB page of lineitem rows
 * with gzip, (d) 1,000 and 5,000 long-polling queries, (e) sustained submissions (bench/README.md).
 * `--quick` shortens every run; `--all` also runs the micro-benchmarks in bench/.
 * For profiling: `--targets=node:http,switchyard` measures only those targets, `--workloads=a32` only the
 * workloads whose key (a1, a32, b, c, d, e) is listed, and `--profile[=dir]` runs the Switchyard child under
 * `node --cpu-prof` (profile written to dir, default a temp dir, when the run ends; read it with
 * `npx tsx bench/profile-summary.ts <file>`). `--repeat=N` (default 3) measures every target N times in
 * turns, after an unmeasured warm-up of each: the table shows each target's median run, and each ratio is
 * the median of the per-round ratios.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressedWorkload } from './lib/compressed-workload.js';
import { concurrencyWorkload } from './lib/concurrency-workload.js';
import { submissionWorkload } from './lib/submission-workload.js';
import { load, type Result } from './lib/load-run.js';
import { pageUrl } from './lib/page-url.js';
import { children, cpuSeconds, freePort, GATEWAY_FLAGS, killAll, start, tsx } from './lib/procs.js';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 3 : 10;
const WARMUP = quick ? 1 : 2;
const flag = (name: string) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const listFlag = (name: string) => flag(name)?.split('=')[1]?.split(',');
const onlyTargets = listFlag('targets');
const onlyWorkloads = listFlag('workloads');
const profileFlag = flag('profile');
const REPEAT = Number(flag('repeat')?.split('=')[1] ?? 3);
/** The Switchyard target whose callers authenticate with HTTP Basic (user and password `bench`). */
const BASIC = 'switchyard+basic';
/**
 * The bare forwarder sent the same credentialed requests as BASIC; it passes the user on as X-Trino-User
 * without the password, as Switchyard does by default, so that the Basic ratio compares the two proxies on
 * the same requests and the same upstream bytes.
 */
const FWD_BASIC = 'node:http+basic';
const BASIC_AUTH = `Basic ${Buffer.from('bench:bench').toString('base64')}`;
const profileDir = profileFlag
  ? (profileFlag.split('=')[1] ?? mkdtempSync(join(tmpdir(), 'sy-prof-')))
  : undefined;

async function nginx(port: number, upstream: number): Promise<ChildProcess | undefined> {
  if (!existsSync('/usr/sbin/nginx')) {
    const r = spawnSync(
      'sh',
      [
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx',
      ],
      { stdio: 'ignore' },
    );
    if (r.status !== 0 || !existsSync('/usr/sbin/nginx')) return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sy-nginx-'));
  // One process (no master): the SIGKILL that ends the run must not leave orphaned workers behind, which
  // kept running (and using CPU) into later runs when nginx forked them.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir};
  upstream trino { server 127.0.0.1:${upstream}; keepalive 64; }
  server { listen 127.0.0.1:${port};
    location / { proxy_pass http://trino; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host $http_host; proxy_buffering off; } } }\n`,
  );
  const child = spawn('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => setTimeout(r, 500));
  return child.exitCode === null ? child : undefined;
}

/** The workloads (a) and (b), against all five targets. */
async function pollsAndPages(): Promise<void> {
  const ports = {
    emu: await freePort(),
    fwd: await freePort(),
    nginx: await freePort(),
    gw: await freePort(),
    gwBasic: await freePort(),
  };
  await start(
    [
      ...tsx,
      'test/helpers/emulator-cli.ts',
      '--port',
      String(ports.emu),
      '--rows-per-page',
      '150',
      '--queued-pages',
      '0',
      '--executing-pages',
      '0',
    ],
    /listening/,
  );
  const forwarder = await start(
    [...tsx, 'bench/lib/forwarder.ts', String(ports.fwd), `http://127.0.0.1:${ports.emu}`],
    /ready/,
  );
  const wanted = (t: string) => !onlyTargets || onlyTargets.includes(t);
  const gatewayArgs = (port: number, auth: string[]) => [
    ...GATEWAY_FLAGS,
    ...tsx,
    'bench/lib/gateway-child.ts',
    String(port),
    `http://127.0.0.1:${ports.emu}`,
    ...auth,
  ];
  const gateway = await start(
    [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...gatewayArgs(ports.gw, [])],
    /ready/,
  );
  // The same gateway with HTTP Basic: every poll carries credentials and is authenticated (cached).
  const basic = wanted(BASIC) ? await start(gatewayArgs(ports.gwBasic, ['basic']), /ready/) : undefined;
  const nginxChild = wanted('nginx') ? await nginx(ports.nginx, ports.emu) : undefined;
  const haveNginx = nginxChild !== undefined;
  // [name, port, pid of the proxy process whose CPU is measured (none for direct)]
  const targets = (
    [
      ['direct', ports.emu, undefined],
      ['node:http', ports.fwd, forwarder.pid],
      ...(haveNginx ? ([['nginx', ports.nginx, nginxChild.pid]] as const) : []),
      ['switchyard', ports.gw, gateway.pid],
      // Adjacent, so that each round's pair runs seconds apart.
      ...(basic ? ([[FWD_BASIC, ports.fwd, forwarder.pid]] as const) : []),
      [BASIC, ports.gwBasic, basic?.pid],
    ] as Array<[string, number, number | undefined]>
  ).filter(([t]) => wanted(t));
  const authOf = (t: string) => (t === BASIC || t === FWD_BASIC ? BASIC_AUTH : undefined);
  const runs = (key: string) => !onlyWorkloads || onlyWorkloads.includes(key);
  const rows: Array<{ target: string; workload: string } & Result> = [];
  const urls = new Map<string, { small: string; big?: string }>();
  for (const [target, port] of targets) {
    const base = `http://127.0.0.1:${port}`;
    urls.set(target, {
      small: await pageUrl(base, 'SELECT * FROM UNNEST(sequence(1, 500))', 1500, authOf(target)),
      big: runs('b')
        ? await pageUrl(base, 'SELECT large_page(16777216)', 16_000_000, authOf(target))
        : undefined,
    });
  }
  const workloads = [
    { key: 'a1', name: 'a: 2KB poll, 1 conn', conns: 1, big: false },
    { key: 'a32', name: 'a: 2KB poll, 32 conn', conns: 32, big: false },
    { key: 'b', name: 'b: 16MB page, 1 conn', conns: 1, big: true },
  ].filter((w) => runs(w.key));
  // Targets take turns within each workload (and each round with --repeat), so a burst of other work
  // on the shared machine hits them alike. The table shows each target's median run; a ratio is the
  // median of the per-round ratios (runs of one round ran seconds apart, under the same conditions).
  const runsOf = new Map<string, Result[]>();
  for (const w of workloads) {
    console.log(`measuring ${w.name}…`);
    for (const [t] of targets) runsOf.set(`${t} ${w.key}`, []);
    // An unmeasured warm-up per target: without it the first round measures V8 still compiling the
    // proxy's hot path (more code in Switchyard than in the bare forwarder) and connections being opened.
    for (const [target] of targets) {
      const u = urls.get(target)!;
      await load(w.big ? u.big! : u.small, w.conns, WARMUP, authOf(target));
    }
    for (let i = 0; i < REPEAT; i++)
      for (const [target, , pid] of targets) {
        const u = urls.get(target)!;
        const cpu0 = cpuSeconds(pid);
        const r = await load(w.big ? u.big! : u.small, w.conns, SECONDS, authOf(target));
        const cpu1 = cpuSeconds(pid);
        if (cpu0 !== undefined && cpu1 !== undefined && r.requests)
          r.cpuUs = ((cpu1 - cpu0) * 1e6) / r.requests;
        runsOf.get(`${target} ${w.key}`)!.push(r);
        if (REPEAT > 1)
          console.log(
            `  ${target} run ${i + 1}: ${w.big ? `${r.mbps.toFixed(0)} MB/s` : `${r.rps.toFixed(0)} req/s`}`,
          );
      }
    for (const [target] of targets) {
      const key = (r: Result) => (w.big ? r.mbps : r.rps);
      const sorted = [...runsOf.get(`${target} ${w.key}`)!].sort((a, b) => key(a) - key(b));
      rows.push({ target, workload: w.name, ...sorted[Math.floor(sorted.length / 2)] });
    }
  }
  if (profileDir) {
    // --cpu-prof writes its file on a normal exit only: ask the child to exit and wait for it.
    const exited = new Promise((r) => gateway.once('exit', r));
    gateway.kill('SIGTERM');
    await exited;
    console.log(`cpu profile of the gateway in ${profileDir}`);
  }
  const order = (t: string) => targets.findIndex(([n]) => n === t);
  rows.sort((a, b) => order(a.target) - order(b.target));
  console.log(
    '\ntarget            workload               req/s      p50 ms   p99 ms   MB/s   errors  cpu µs/req',
  );
  for (const r of rows)
    console.log(
      `${r.target.padEnd(17)} ${r.workload.padEnd(22)} ${r.rps.toFixed(0).padStart(7)} ${r.p50.toFixed(3).padStart(9)} ${r.p99.toFixed(3).padStart(8)} ${r.mbps.toFixed(1).padStart(7)} ${String(r.errors).padStart(6)} ${r.cpuUs === undefined ? '         -' : r.cpuUs.toFixed(1).padStart(10)}`,
    );
  if (onlyTargets || onlyWorkloads) return;
  /** Per round, f(run of a, run of b); the median over rounds, with the spread when there are several. */
  const paired = (a: string, b: string, w: string, f: (x: Result, y: Result) => number) => {
    const xs = runsOf.get(`${a} ${w}`)!;
    const ys = runsOf.get(`${b} ${w}`)!;
    const v = xs.map((x, i) => f(x, ys[i])).sort((p, q) => p - q);
    return { value: v[Math.floor(v.length / 2)], min: v[0], max: v[v.length - 1] };
  };
  /** Prints a ratio against its target (or, without one, for reference). */
  const check = (name: string, r: ReturnType<typeof paired>, target?: number, higher = true) => {
    const spread = REPEAT > 1 ? `  (rounds ${r.min.toFixed(3)}–${r.max.toFixed(3)})` : '';
    const verdict =
      target === undefined
        ? 'for reference'
        : `target ${higher ? '≥' : '≤'} ${target}  ${(higher ? r.value >= target : r.value <= target) ? 'met' : 'MISSED'}`;
    console.log(`${name.padEnd(52)} ${r.value.toFixed(3).padStart(8)}  ${verdict}${spread}`);
  };
  const rps = (x: Result, y: Result) => x.rps / y.rps;
  const mbps = (x: Result, y: Result) => x.mbps / y.mbps;
  console.log('');
  check('(a) 32 conn: switchyard / node:http req/s', paired('switchyard', 'node:http', 'a32', rps), 0.9);
  // Every request of both carries the same Authorization header; the ratio against the bare forwarder
  // without it adds the cost of a longer request to the client, the emulator and the wire as well.
  check(`(a) 32 conn: ${BASIC} / ${FWD_BASIC} req/s`, paired(BASIC, FWD_BASIC, 'a32', rps), 0.9);
  check(`(a) 32 conn: ${BASIC} / node:http req/s`, paired(BASIC, 'node:http', 'a32', rps));
  if (runsOf.get(`${BASIC} a32`)![0].cpuUs !== undefined)
    check(
      `(a) 32 conn: CPU per poll, ${BASIC} / ${FWD_BASIC}`,
      paired(BASIC, FWD_BASIC, 'a32', (x, y) => x.cpuUs! / y.cpuUs!),
    );
  if (runsOf.get('switchyard a32')![0].cpuUs !== undefined)
    check(
      '(a) 32 conn: CPU per poll, switchyard / node:http',
      paired('switchyard', 'node:http', 'a32', (x, y) => x.cpuUs! / y.cpuUs!),
    );
  if (haveNginx)
    check('(a) 32 conn: switchyard / nginx req/s', paired('switchyard', 'nginx', 'a32', rps), 0.35);
  check(
    '(a) 1 conn: added p50 over direct (ms)',
    paired('switchyard', 'direct', 'a1', (x, y) => x.p50 - y.p50),
    0.3,
    false,
  );
  check(
    `(a) 1 conn: ${BASIC} added p50 (ms)`,
    paired(BASIC, 'direct', 'a1', (x, y) => x.p50 - y.p50),
    0.3,
    false,
  );
  check('(b) 16MB: switchyard / direct MB/s', paired('switchyard', 'direct', 'b', mbps), 0.8);
  check('(b) 16MB: switchyard / node:http MB/s', paired('switchyard', 'node:http', 'b', mbps));
  if (!haveNginx) console.log('nginx: not available (apt-get failed); its ratio is left out');
  if (process.argv.includes('--all'))
    for (const f of ['routing-bench.ts'])
      spawnSync(process.execPath, [...tsx, `bench/${f}`], { stdio: 'inherit' });
}

async function main(): Promise<void> {
  const runs = (key: string) => !onlyWorkloads || onlyWorkloads.includes(key);
  if (['a1', 'a32', 'b'].some(runs)) await pollsAndPages();
  const opts = { quick, repeat: REPEAT };
  if (runs('c')) await compressedWorkload(opts);
  if (runs('d')) await concurrencyWorkload(opts);
  if (runs('e')) await submissionWorkload(opts);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(killAll);
