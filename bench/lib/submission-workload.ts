/**
 * Workload (e): sustained new queries (bench/lib/submit-load.ts: submit → queued poll → two pages of 150
 * rows → FINISHED) from 16 clients, through the bare forwarder and through Switchyard in turns, history
 * in a SQLite file (BENCH_DB) as a deployment keeps it. Reports queries/s of each, Switchyard / forwarder,
 * the history rows written against the queries answered (nothing lost: every submission a row, every
 * finished query FINISHED once the recorder has flushed), and the gateway's event-loop delay p99 over
 * each run, while the recorder flushes (every 500 ms by default).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, type GatewayStats } from './gateway-stats.js';
import { loadAverage, tsx } from './procs.js';
import { median, startStack, stopGateway } from './stack.js';

const CLIENTS = 16;

interface SubmitResult {
  submitted: number;
  finished: number;
  errors: number;
  qps: number;
  p50: number;
  p99: number;
}

function submitLoad(base: string, seconds: number): SubmitResult {
  const r = spawnSync(
    process.execPath,
    [...tsx, 'bench/lib/submit-load.ts', base, String(CLIENTS), String(seconds)],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as SubmitResult;
}

export async function submissionWorkload(o: { quick: boolean; repeat: number }): Promise<void> {
  const seconds = o.quick ? 3 : 10;
  const db = join(mkdtempSync(join(tmpdir(), 'sy-bench-e-')), 'history.db');
  const stack = await startStack(
    [
      'test/helpers/emulator-cli.ts',
      '--port',
      'PORT',
      '--rows-per-page',
      '150',
      '--queued-pages',
      '0',
      '--executing-pages',
      '0',
    ],
    { BENCH_DB: db },
  );
  const [, [, fwd], [, gw]] = stack.targets;
  console.log(`measuring e: sustained submissions, ${CLIENTS} clients… (load ${loadAverage()})`);
  submitLoad(fwd, 1);
  submitLoad(gw, 1); // warm-up
  const lines: string[] = [];
  const ratios: number[] = [];
  let lost = 0;
  const fwdLoop = async () =>
    (await (await fetch(`${fwd}/__bench/loop`)).json()) as { p99: number; max: number };
  for (let i = 0; i < o.repeat; i++) {
    await fwdLoop();
    const f = submitLoad(fwd, seconds);
    const fl = await fwdLoop();
    await new Promise((r) => setTimeout(r, 1500));
    const before = await ask<GatewayStats>(stack.gateway, 'stats');
    await ask(stack.gateway, 'reset');
    const s = submitLoad(gw, seconds);
    const during = await ask<GatewayStats>(stack.gateway, 'stats');
    await new Promise((r) => setTimeout(r, 1500)); // one flush interval and more
    const after = await ask<GatewayStats>(stack.gateway, 'stats');
    const rows = after.historyRows - before.historyRows;
    const fin = after.historyFinished - before.historyFinished;
    lost += Math.abs(rows - s.submitted) + Math.abs(fin - s.finished);
    ratios.push(s.qps / f.qps);
    lines.push(
      `${i + 1}  ${f.qps.toFixed(0).padStart(7)} ${s.qps.toFixed(0).padStart(7)} ${(s.qps / f.qps).toFixed(3).padStart(6)} ` +
        `${f.p99.toFixed(1).padStart(8)} ${s.p99.toFixed(1).padStart(8)} ${String(s.submitted).padStart(6)} ${String(rows).padStart(6)} ` +
        `${String(s.finished).padStart(6)} ${String(fin).padStart(6)} ${String(f.errors + s.errors).padStart(5)} ` +
        `${during.loopP99.toFixed(1).padStart(8)} ${during.loopMax.toFixed(0).padStart(8)} ${fl.p99.toFixed(1).padStart(8)} ` +
        `${during.historyWriteP99.toFixed(2).padStart(7)} ${during.historyWriteMax.toFixed(1).padStart(7)} ${during.historyWriteCpuMax.toFixed(2).padStart(7)}  ${loadAverage()}`,
    );
  }
  console.log(
    '\nround fwd q/s  sy q/s  ratio fwd p99 ms sy p99 ms  subm.   rows finish. FIN.rows errs loop p99 loop max fwd loop hw p99 hw max hw cpu  load',
  );
  for (const l of lines) console.log(l);
  console.log(`\n(e) switchyard / node:http queries/s: ${median(ratios).toFixed(3)} (for reference)`);
  console.log(`(e) history rows missing or extra: ${lost} (target 0)`);
  console.log(
    "fwd loop: the bare forwarder's loop delay p99 in its run (no history: the machine's share of the figure);",
  );
  console.log('hw: one synchronous history write (a slice), ms wall p99 / max and CPU max, in the gateway');
  console.log('target: ≤ 5 ms loop delay p99 while history flushes');
  await stopGateway(stack.gateway);
}
