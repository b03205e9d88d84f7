/**
 * `npx tsx bench/soak.ts --minutes 30`: the soak of bench/lib/soak-runner.ts — three emulated clusters,
 * Switchyard in its own process, mixed load with cancellations, admin changes and cluster flapping —
 * printing the gateway's memory and fd curve and a verdict. Exits 1 when any failure is unexplained.
 * Options: --minutes N (default 30), --clients N (default 6).
 */
import { formatSample, runSoak, SAMPLE_HEADER, sampleAt } from './lib/soak-runner.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = eq ? eq.split('=')[1] : i >= 0 ? process.argv[i + 1] : undefined;
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number`);
  return n;
};

const minutes = arg('minutes', 30);
const clients = arg('clients', 6);
console.log(`soak: ${minutes} min, ${clients} clients, 3 clusters, Node ${process.version}`);
console.log(SAMPLE_HEADER);
const report = await runSoak({
  durationMs: minutes * 60_000,
  clients,
  onSample: (s) => console.log(formatSample(s)),
  log: (line) => console.log(`        ${line}`),
});

const at25 = sampleAt(report, 0.25);
const last = report.last;
const ended = report.ok + report.explained + report.unexplained;
console.log('');
console.log(
  `queries: ${ended} ended, ${report.ok} ok (${report.cancelled} of them cancelled mid-way on purpose),`,
);
console.log(`         ${report.explained} explained failures, ${report.unexplained} unexplained`);
console.log(`explained by kind: ${JSON.stringify(report.explainedKinds)}`);
console.log(`admin changes: ${report.adminChanges}, cluster flaps: ${report.flaps}`);
console.log(
  `RSS: ${at25.rssMB.toFixed(1)} MB at 25% (t=${at25.t}s) → ${last.rssMB.toFixed(1)} MB at 100% (t=${last.t}s): ` +
    `${report.rssGrowthMB >= 0 ? '+' : ''}${report.rssGrowthMB.toFixed(1)} MB`,
);
console.log(
  `heap used: ${at25.heapMB.toFixed(1)} MB → ${last.heapMB.toFixed(1)} MB; ` +
    `open fds: ${at25.fds ?? '-'} → ${last.fds ?? '-'} (${report.fdGrowth === null ? 'n/a' : (report.fdGrowth >= 0 ? '+' : '') + report.fdGrowth})`,
);
console.log(`gateway exit after SIGTERM: ${report.gatewayExit}`);
for (const f of report.failures) console.log(`  unexplained: ${f}`);
const pass = report.unexplained === 0 && report.gatewayExit === 0;
console.log(`verdict: ${pass ? 'PASS' : 'FAIL'} (${report.unexplained} unexplained)`);
if (!pass) {
  console.log(`gateway output (tail):\n${report.gatewayOutputTail}`);
  process.exit(1);
}
